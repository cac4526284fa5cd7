import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandPayloadSchema } from '@evcharge/domain';
import { getCommand, keys, registerCharger } from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  type RecordedPublish,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runChargersCli } from '../../src/cli/chargers-command.js';
import { resolveIotDataEndpoint } from '../../src/cli/deps.js';
import { cliHarness } from '../helpers/cli.js';

// `pnpm chargers reset|unlock|availability|config|trigger|clear-cache` against DynamoDB Local and a recording
// IoT data plane (the real SDK client). Here the test plays the charger and the heartbeat service, writing the
// answer onto the Command item as command-response does; the round trip through the real broker, rule and
// handler is in services/heartbeat/tests/e2e/local-cloud.test.ts.

let table: TestTable;
let recorder: IotDataPlaneRecorder;
beforeAll(async () => {
  table = await createTestTable('operator-commands');
  recorder = await startIotDataPlaneRecorder();
  await registerCharger(table, { chargerId: 'CP-CMD', connectorCount: 2, now: new Date() });
});
afterAll(async () => {
  await recorder.close();
  await table.drop();
});
beforeEach(() => {
  recorder.publishes.length = 0;
  recorder.onPublish = undefined;
  recorder.failWith = undefined;
});

const openIotData = (endpoint: string | undefined) =>
  new IoTDataPlaneClient({
    endpoint: endpoint ?? 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
const harness = () =>
  cliHarness(table, { env: { AWS_ENDPOINT_URL_IOT_DATA_PLANE: recorder.endpoint }, openIotData });

type Command = ReturnType<typeof commandPayloadSchema.parse>;

/** Plays a charger that answers each command (and the service recording it) after `delayMs`. */
function answerWith(status: string, answerPayload?: Record<string, unknown>, delayMs = 300) {
  recorder.onPublish = (publish: RecordedPublish) => {
    const command = publish.payload as Command;
    setTimeout(() => {
      void table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.command('CP-CMD', command.requestId),
          UpdateExpression: `SET #state = :answered, answerStatus = :status, answerAt = :at, answerReceivedAt = :at, lateAnswer = :false${answerPayload ? ', answerPayload = :payload' : ''}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':answered': 'answered',
            ':status': status,
            ':at': new Date().toISOString(),
            ':false': false,
            ...(answerPayload ? { ':payload': answerPayload } : {}),
          },
        }),
      );
    }, delayMs);
  };
}

const sent = () =>
  recorder.publishesTo('chargers/CP-CMD/command').map((publish) => publish.payload as Command);

describe('operator commands: publish, wait, print, keep', () => {
  it.each([
    [['reset', 'CP-CMD'], 'Reset', { type: 'Soft' }],
    [['reset', 'CP-CMD', '--hard'], 'Reset', { type: 'Hard' }],
    [['unlock', 'CP-CMD', '2'], 'UnlockConnector', { connectorId: 2 }],
    [
      ['availability', 'CP-CMD', '0', 'inoperative'],
      'ChangeAvailability',
      { connectorId: 0, type: 'Inoperative' },
    ],
    [
      ['availability', 'CP-CMD', '1', 'operative'],
      'ChangeAvailability',
      { connectorId: 1, type: 'Operative' },
    ],
    [['config', 'CP-CMD'], 'GetConfiguration', {}],
    [['config', 'CP-CMD', 'HeartbeatInterval'], 'GetConfiguration', { key: ['HeartbeatInterval'] }],
    [
      ['config', 'CP-CMD', 'HeartbeatInterval=60'],
      'ChangeConfiguration',
      { key: 'HeartbeatInterval', value: '60' },
    ],
    [
      ['trigger', 'CP-CMD', 'StatusNotification', '1'],
      'TriggerMessage',
      { requestedMessage: 'StatusNotification', connectorId: 1 },
    ],
    [['trigger', 'CP-CMD', 'Heartbeat'], 'TriggerMessage', { requestedMessage: 'Heartbeat' }],
    [['clear-cache', 'CP-CMD'], 'ClearCache', {}],
  ])('%j sends %s %j on chargers/CP-CMD/command and prints the answer', async (argv, action, payload) => {
    answerWith('Accepted');
    const cli = harness();
    expect(await runChargersCli([...argv, '--timeout', '5'], cli.deps)).toBe(0);
    expect(cli.err).toEqual([]);
    const [command] = sent();
    expect(command).toMatchObject({ action, payload });
    expect(commandPayloadSchema.safeParse(command).success).toBe(true);
    expect(recorder.publishesTo('chargers/CP-CMD/command')[0]?.qos).toBe(1);
    expect(Date.parse(command?.expiresAt ?? '') - Date.parse(command?.at ?? '')).toBe(5_000);
    expect(cli.out.at(-1)).toBe(`CP-CMD answered ${action}: Accepted`);
    const kept = await getCommand(table, 'CP-CMD', command?.requestId ?? '');
    expect(kept?.payload ?? {}).toEqual(payload);
    expect(kept).toMatchObject({
      action,
      state: 'answered',
      answerStatus: 'Accepted',
      expiresAt: command?.expiresAt,
    });
  });

  it('prints the configuration keys GetConfiguration answers with', async () => {
    answerWith('Accepted', {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'NumberOfConnectors', readonly: true, value: '2' },
      ],
      unknownKey: ['Nope'],
    });
    const cli = harness();
    expect(await runChargersCli(['config', 'CP-CMD', '--timeout', '5'], cli.deps)).toBe(0);
    expect(cli.out.slice(-4)).toEqual([
      'CP-CMD answered GetConfiguration: Accepted',
      '  HeartbeatInterval = 300',
      '  NumberOfConnectors = 2 (read-only)',
      '  unknown keys: Nope',
    ]);
  });

  it('without an answer: prints the timeout after --timeout, exits 1 and keeps the command timed out', async () => {
    const cli = harness();
    const started = Date.now();
    expect(await runChargersCli(['reset', 'CP-CMD', '--timeout', '1'], cli.deps)).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const [command] = sent();
    expect(cli.out.at(-2)).toBe(
      `No answer from CP-CMD to Reset within 1 s (requestId ${command?.requestId}); kept as timed out.`,
    );
    expect(await getCommand(table, 'CP-CMD', command?.requestId ?? '')).toMatchObject({
      state: 'timedOut',
      timedOutAt: '2026-11-25T07:00:00.000Z',
    });
  });

  it('a publish that fails is kept as failed, exit 1, and nothing is waited for', async () => {
    recorder.failWith = 500;
    const cli = harness();
    expect(await runChargersCli(['clear-cache', 'CP-CMD', '--timeout', '30'], cli.deps)).toBe(1);
    expect(cli.err[0]).toMatch(/^error: /);
    const { Items = [] } = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'entityType = :command AND #state = :failed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':command': 'Command', ':failed': 'failed' },
      }),
    );
    expect(Items).toHaveLength(1);
  });
});

describe('operator commands: refused before anything is sent', () => {
  it.each([
    [['reset'], 2, /missing argument <chargerId>/],
    [['reset', 'CP-CMD', 'now'], 2, /unexpected argument 'now'/],
    [['unlock', 'CP-CMD'], 2, /missing argument <connectorId>/],
    [['unlock', 'CP-CMD', 'one'], 2, /<connectorId> must be a connector number/],
    [['unlock', 'CP-CMD', '0'], 2, /payload\.connectorId/],
    [['unlock', 'CP-CMD', '3'], 2, /has 2 connector\(s\); there is no connector 3/],
    [['availability', 'CP-CMD', '0', 'maybe'], 2, /must be operative or inoperative/],
    [['trigger', 'CP-CMD', 'Reboot'], 2, /<MessageTrigger> must be one of BootNotification/],
    [['config', 'CP-CMD', `${'K'.repeat(51)}=1`], 2, /payload\.key/],
    [['unlock', 'CP-CMD', '1', '--hard'], 2, /--hard is only for 'reset'/],
    [['reset', 'CP-CMD', '--timeout', '0'], 2, /--timeout must be an integer from 1 to 3600/],
    [['reset', 'CP-NOBODY'], 1, /charger CP-NOBODY is not registered/],
  ])('%j → exit %i', async (argv, code, message) => {
    const cli = harness();
    expect(await runChargersCli(argv, cli.deps)).toBe(code);
    expect(cli.err[0]).toMatch(message);
    expect(sent()).toEqual([]);
  });
});

describe('where commands are published', () => {
  it('locally the local cloud data plane (or its env), on AWS the env or the SDK default', () => {
    expect(resolveIotDataEndpoint({}, { aws: false })).toBe('http://127.0.0.1:4566');
    expect(resolveIotDataEndpoint({ AWS_ENDPOINT_URL_IOT_DATA_PLANE: 'http://x:1' }, { aws: false })).toBe(
      'http://x:1',
    );
    expect(resolveIotDataEndpoint({}, { aws: true })).toBeUndefined();
    expect(
      resolveIotDataEndpoint(
        { AWS_ENDPOINT_URL_IOT_DATA_PLANE: 'https://abc-ats.iot.eu-west-1.amazonaws.com' },
        { aws: true },
      ),
    ).toBe('https://abc-ats.iot.eu-west-1.amazonaws.com');
  });
});
