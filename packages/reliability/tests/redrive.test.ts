import { randomUUID } from 'node:crypto';
import { type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getConnector, listConnectorHistory } from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
// The redrive CLI is not re-exported by @evcharge/operator-cli's index (yet): imported by path.
import {
  httpInvoke,
  type Invoke,
  type RedriveReport,
  redrive,
  runRedriveCli,
} from '../../operator-cli/src/redrive.js';

const chargerId = 'CP-REDRIVE-1';
const queueName = 'plug-events-local-dead-letters';
let cloud: LocalCloud;
let sqs: SQSClient;
let queueUrl: string;
let invoke: Invoke;
let password: string;
const lines: string[] = [];

const plugPayload = (connectorId: number, event: string, messageId = randomUUID()) => ({
  messageId,
  connectorId,
  event,
  at: new Date().toISOString(),
});

function run(
  options: { dryRun?: boolean; functionFilter?: string; visibilityTimeoutS?: number } = {},
): Promise<RedriveReport> {
  return redrive({
    sqs,
    invoke,
    services: ['plug-events'],
    stage: 'local',
    dryRun: options.dryRun ?? false,
    ...(options.visibilityTimeoutS ? { visibilityTimeoutS: options.visibilityTimeoutS } : {}),
    ...(options.functionFilter ? { functionFilter: options.functionFilter } : {}),
    io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  });
}

/** The queue's letters, left visible (visibility 0), after the redrive's own 1 s hiding of what it wrote. */
async function peek(): Promise<{ body: Record<string, unknown>; message: Message }[]> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return Messages.map((message) => ({
    body: JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
    message,
  }));
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    services: ['plug-events'],
    ports: { mqtt: 0, aws: 0, http: 0 },
    dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    tableName: `redrive-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
  sqs = new SQSClient({
    endpoint: cloud.endpoints.aws,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = `${cloud.endpoints.aws}/000000000000/${queueName}`;
  // Lambda Invoke on the local cloud's AWS port: the function runs in its own worker, as any invocation.
  invoke = httpInvoke(cloud.endpoints.aws);
  ({ password } = await registerChargerLocally(cloud.table, {
    chargerId,
    connectorCount: 3,
    now: new Date(),
  }));
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('pnpm redrive against the local cloud', () => {
  let badLetterFirstFailureAt = '';
  const onFailurePayload = {
    ...plugPayload(1, 'plugged'),
    chargerId,
    clientId: chargerId,
    receivedAt: Date.now(),
  };

  it('finds dead letters of every shape: the function’s own, async on-failure, rule error', async () => {
    const client = await mqtt.connectAsync(cloud.endpoints.mqttUrl, {
      clientId: chargerId,
      username: chargerId,
      password,
      reconnectPeriod: 0,
    });
    await client.publishAsync(`chargers/${chargerId}/plug`, JSON.stringify(plugPayload(3, 'sideways')), {
      qos: 1,
    });
    await client.endAsync();
    const [bad] = await cloud.waitFor(async () => {
      const letters = await peek();
      return letters.length === 1 ? letters : undefined;
    }, 10_000);
    expect(bad?.body).toMatchObject({ errorClass: 'bad-input', field: 'event', attempts: 1 });
    badLetterFirstFailureAt = String(bad?.body.firstFailureAt);

    // What Lambda's on-failure destination and the rule's errorAction would have written.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: {
            functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:plug-events-local-plug:$LATEST',
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: onFailurePayload,
          responsePayload: { errorMessage: 'ProvisionedThroughputExceededException' },
        }),
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          ruleName: 'plug_events_local_plug',
          topic: `chargers/${chargerId}/plug`,
          clientId: chargerId,
          base64OriginalPayload: Buffer.from(JSON.stringify(plugPayload(2, 'plugged'))).toString('base64'),
          failures: [
            { failedAction: 'LambdaAction', failedResource: 'plug-events.plug', errorMessage: 'throttled' },
          ],
        }),
      }),
    );
    expect(await peek()).toHaveLength(3);
  });

  it('--dry-run lists what it would replay and changes nothing', async () => {
    const report = await run({ dryRun: true });
    expect(report).toMatchObject({ examined: 3, replayed: 0, failedAgain: 0 });
    expect(lines.filter((line) => line.includes('would replay'))).toHaveLength(3);
    expect((await getConnector(cloud.table, chargerId, 1))?.plugged).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the dry run's short visibility timeout
    expect(await peek()).toHaveLength(3);
  });

  it('--function of another function leaves every letter alone', async () => {
    const report = await run({ functionFilter: 'authorize', visibilityTimeoutS: 1 });
    expect(report).toMatchObject({ examined: 3, replayed: 0, skipped: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await peek()).toHaveLength(3);
  });

  it('replays the fixable ones and sends the bad one back once, with its history', async () => {
    const report = await run({ functionFilter: 'plug' });
    expect(report).toMatchObject({ examined: 3, replayed: 2, failedAgain: 1 });
    expect((await getConnector(cloud.table, chargerId, 1))?.plugged).toBe(true);
    expect((await getConnector(cloud.table, chargerId, 2))?.plugged).toBe(true);
    const remaining = await peek();
    expect(remaining).toHaveLength(1);
    expect(remaining[0]?.body).toMatchObject({
      functionName: 'plug-events-local-plug',
      errorClass: 'bad-input',
      field: 'event',
      attempts: 2,
      firstFailureAt: badLetterFirstFailureAt,
    });
  });

  it('a letter that fails again keeps counting; a replayed duplicate is applied once', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          functionName: 'plug-events-local-plug',
          errorClass: 'transient',
          reason: 'replayed twice on purpose',
          payload: onFailurePayload,
          attempts: 1,
          firstFailureAt: new Date().toISOString(),
          lastFailureAt: new Date().toISOString(),
        }),
      }),
    );
    const report = await run();
    expect(report).toMatchObject({ replayed: 1, failedAgain: 1 });
    const remaining = await peek();
    expect(remaining.map(({ body }) => body.attempts)).toEqual([3]);
    expect(remaining[0]?.body.firstFailureAt).toBe(badLetterFirstFailureAt);
    const history = await listConnectorHistory(cloud.table, chargerId, 1);
    expect(history.events.filter((event) => event.messageId === onFailurePayload.messageId)).toHaveLength(1);
    console.log(
      `reliability: redrive\n  ${lines.filter((line) => line.startsWith('redrive:')).join('\n  ')}`,
    );
  });

  it('pnpm redrive (the CLI) replays through the local cloud endpoints from the environment', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          functionName: 'plug-events-local-plug',
          errorClass: 'transient',
          reason: 'replayed by the CLI',
          payload: { ...plugPayload(3, 'plugged'), chargerId, clientId: chargerId, receivedAt: Date.now() },
          attempts: 1,
          firstFailureAt: new Date().toISOString(),
          lastFailureAt: new Date().toISOString(),
        }),
      }),
    );
    const out: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, cloud.env);
    try {
      const code = await runRedriveCli(['--service', 'plug-events', '--function', 'plug'], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      });
      expect(code).toBe(0);
    } finally {
      for (const key of Object.keys(cloud.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    expect(out.at(-1)).toMatch(/replayed=1 failed-again=1/);
    expect((await getConnector(cloud.table, chargerId, 3))?.plugged).toBe(true);
  });
});
