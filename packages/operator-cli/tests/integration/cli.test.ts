import { getCharger, getIdTag } from '@evcharge/dynamo';
import { LOCAL_GATEWAY_ID, verifyCredential, verifyDevToken } from '@evcharge/local-identity';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runChargersCli } from '../../src/cli/chargers-command.js';
import { resolveTableTarget } from '../../src/cli/deps.js';
import { runDevTokenCli } from '../../src/cli/dev-token-command.js';
import { runIdTagsCli } from '../../src/cli/idtags-command.js';
import { CLIENT_ID_VARIABLE } from '../../src/iot-policy.js';
import { cliHarness } from '../helpers/cli.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('operator-cli');
});
afterAll(async () => {
  await table.drop();
});

describe('pnpm chargers register (local)', () => {
  it('records the charger and prints working MQTT credentials and a mosquitto_pub example', async () => {
    const harness = cliHarness(table);
    const code = await runChargersCli(['register', 'CP-CLI-1', '--connectors', '2'], harness.deps);
    expect(harness.err).toEqual([]);
    expect(code).toBe(0);
    const output = harness.out.join('\n');
    const password = /password: {2}(\S+)/.exec(output)?.[1] ?? '';
    expect(output).toContain('url:       mqtt://127.0.0.1:1883');
    expect(output).toContain('client id: CP-CLI-1');
    expect(output).toContain('username:  CP-CLI-1');
    expect(output).toContain(
      `mosquitto_pub -h 127.0.0.1 -p 1883 -V mqttv311 -q 1 -i CP-CLI-1 -u CP-CLI-1 -P '${password}'`,
    );
    expect(output).toContain(`-t chargers/CP-CLI-1/heartbeat -m '{"at":"2026-11-25T07:00:00.000Z"}'`);
    const charger = await getCharger(table, 'CP-CLI-1');
    expect(charger?.connectorCount).toBe(2);
    await expect(verifyCredential(password, charger?.credentialHash ?? '')).resolves.toBe(true);
  });

  it('also prints OCPP 1.6J credentials for the local gateway: only their hash is kept, the charger is assigned to it', async () => {
    const harness = cliHarness(table, { env: { LOCAL_CLOUD_OCPP_PORT: '18180' } });
    expect(await runChargersCli(['register', 'CP-CLI-OCPP'], harness.deps)).toBe(0);
    const output = harness.out.join('\n');
    expect(output).toContain('ocpp url:      ws://127.0.0.1:18180/ocpp/CP-CLI-OCPP');
    expect(output).toContain('ocpp base url: ws://127.0.0.1:18180/ocpp');
    expect(output).toContain('ocpp username: CP-CLI-OCPP');
    const ocppPassword = /ocpp password: (\S+)/.exec(output)?.[1] ?? '';
    expect(ocppPassword).toMatch(/^[0-9a-f]{40}$/);
    const charger = (await getCharger(table, 'CP-CLI-OCPP')) as Record<string, unknown> | undefined;
    expect(charger?.gatewayId).toBe(LOCAL_GATEWAY_ID);
    expect(JSON.stringify(charger)).not.toContain(ocppPassword);
    await expect(verifyCredential(ocppPassword, String(charger?.ocppCredentialHash))).resolves.toBe(true);

    const json = cliHarness(table);
    const args = ['register', 'CP-CLI-JSON', '--json', '--ocpp-url', 'wss://gw.example/ocpp/'];
    expect(await runChargersCli(args, json.deps)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toEqual({
      mqtt: {
        url: 'mqtt://127.0.0.1:1883',
        clientId: 'CP-CLI-JSON',
        username: 'CP-CLI-JSON',
        password: expect.any(String),
      },
      ocpp: {
        url: 'wss://gw.example/ocpp/CP-CLI-JSON',
        baseUrl: 'wss://gw.example/ocpp',
        username: 'CP-CLI-JSON',
        password: expect.stringMatching(/^[0-9a-f]{40}$/),
      },
    });
  });

  it('defaults to the local cloud DynamoDB and table, and honours env and --mqtt-url', async () => {
    expect(resolveTableTarget({}, { aws: false, table: undefined })).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      tableName: 'ev-charging-local',
    });
    expect(
      resolveTableTarget(
        { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', TABLE_NAME: 't' },
        { aws: false, table: undefined },
      ),
    ).toEqual({ endpoint: 'http://127.0.0.1:9', tableName: 't' });
    const harness = cliHarness(table);
    await runChargersCli(['register', 'CP-CLI-2', '--mqtt-url', 'mqtt://localhost:18830'], harness.deps);
    expect(harness.out.join('\n')).toContain('-h localhost -p 18830');
  });

  it('commissions by default; --pending leaves it Pending until `chargers commission`', async () => {
    const harness = cliHarness(table);
    expect(await runChargersCli(['register', 'CP-CLI-3'], harness.deps)).toBe(0);
    expect((await getCharger(table, 'CP-CLI-3'))?.registrationStatus).toBe('Accepted');

    expect(await runChargersCli(['register', 'CP-CLI-4', '--pending'], harness.deps)).toBe(0);
    expect(harness.out).toContain(
      '  Pending: its BootNotification is answered Pending until `npm run chargers -- commission CP-CLI-4`.',
    );
    expect((await getCharger(table, 'CP-CLI-4'))?.registrationStatus).toBe('Pending');

    harness.out.length = 0;
    expect(await runChargersCli(['commission', 'CP-CLI-4'], harness.deps)).toBe(0);
    expect(harness.err).toEqual([]);
    expect(harness.out).toEqual([
      `Commissioned charger CP-CLI-4 in ${table.tableName}: its next BootNotification is answered Accepted.`,
    ]);
    expect((await getCharger(table, 'CP-CLI-4'))?.registrationStatus).toBe('Accepted');
    expect(harness.targets.at(-1)).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      tableName: 'ev-charging-local',
    });
  });

  it('commissioning again succeeds and changes nothing', async () => {
    const harness = cliHarness(table);
    await runChargersCli(['register', 'CP-CLI-5', '--pending'], harness.deps);
    expect(await runChargersCli(['commission', 'CP-CLI-5'], harness.deps)).toBe(0);
    const commissioned = await getCharger(table, 'CP-CLI-5');
    harness.out.length = 0;
    expect(await runChargersCli(['commission', 'CP-CLI-5'], harness.deps)).toBe(0);
    expect(harness.out).toEqual([
      `Charger CP-CLI-5 was already commissioned (Accepted) in ${table.tableName}.`,
    ]);
    expect(await getCharger(table, 'CP-CLI-5')).toEqual(commissioned);
  });

  it('commissions on the deployed table with --aws, without reaching AWS IoT', async () => {
    const harness = cliHarness(table);
    await runChargersCli(['register', 'CP-CLI-6', '--pending'], harness.deps);
    expect(
      await runChargersCli(['commission', 'CP-CLI-6', '--aws', '--table', table.tableName], harness.deps),
    ).toBe(0);
    expect(harness.targets.at(-1)).toEqual({ endpoint: undefined, tableName: table.tableName });
    expect((await getCharger(table, 'CP-CLI-6'))?.registrationStatus).toBe('Accepted');
  });

  it('fails with exit 1 (not 2) when commissioning an unknown charger, writing nothing', async () => {
    const harness = cliHarness(table);
    expect(await runChargersCli(['commission', 'CP-NOPE'], harness.deps)).toBe(1);
    expect(harness.err).toEqual(['error: charger CP-NOPE is not registered']);
    expect(await getCharger(table, 'CP-NOPE')).toBeUndefined();
  });

  it('prints the production policy documents under the names they are created with', async () => {
    const harness = cliHarness(table);
    const code = await runChargersCli(
      [
        'policy-document',
        '--region',
        'eu-west-1',
        '--account',
        '123456789012',
        '--policy',
        'prod',
        '--stage',
        'prod',
      ],
      harness.deps,
    );
    expect(code).toBe(0);
    const printed = JSON.parse(harness.out.join('\n'));
    expect(Object.keys(printed)).toEqual(['prod', 'prod-commands', 'prod-ingest']);
    expect(JSON.stringify(printed['prod-ingest'])).toContain(
      `topic/$aws/rules/heartbeat_prod_heartbeat/chargers/${CLIENT_ID_VARIABLE}/heartbeat`,
    );
    expect(printed.prod.Statement.map((statement: { Action: string }) => statement.Action)).toEqual([
      'iot:Connect',
      'iot:Publish',
    ]);
  });
});

describe('pnpm idtags', () => {
  it('adds, lists and blocks tags', async () => {
    const harness = cliHarness(table);
    expect(
      await runIdTagsCli(['add', 'TAG-1', '--user', 'alice', '--max-concurrent', '2'], harness.deps),
    ).toBe(0);
    expect(
      await runIdTagsCli(
        ['add', 'TAG-2', '--user', 'bob', '--expires', '2020-01-01T00:00:00Z'],
        harness.deps,
      ),
    ).toBe(0);
    expect(await getIdTag(table, 'TAG-2')).toMatchObject({
      expiresAt: '2020-01-01T00:00:00.000Z',
      status: 'Accepted',
    });
    expect(await runIdTagsCli(['block', 'TAG-1'], harness.deps)).toBe(0);
    expect(await getIdTag(table, 'TAG-1')).toMatchObject({
      status: 'Blocked',
      userId: 'alice',
      maxConcurrent: 2,
    });

    harness.out.length = 0;
    expect(await runIdTagsCli(['list'], harness.deps)).toBe(0);
    expect(harness.out[0]).toMatch(/^idTag\s+userId\s+status\s+expiresAt\s+maxConcurrent\s+activeSessions$/);
    expect(harness.out.find((line) => line.startsWith('TAG-1'))).toMatch(
      /^TAG-1\s+alice\s+Blocked\s+-\s+2\s+0$/,
    );
    expect(harness.out.find((line) => line.startsWith('TAG-2'))).toMatch(
      /bob\s+Accepted\s+2020-01-01T00:00:00.000Z/,
    );
  });

  it('fails with exit 1 (not 2) when blocking an unknown tag', async () => {
    const harness = cliHarness(table);
    expect(await runIdTagsCli(['block', 'NOPE'], harness.deps)).toBe(1);
    expect(harness.err.join('\n')).toContain('idTag NOPE is not registered');
  });
});

describe('operational errors', () => {
  it('exit 1 with a hint when the table does not exist', async () => {
    const harness = cliHarness(table, {
      env: { TABLE_NAME: 'no-such-table' },
      openTable: (target) => ({ client: table.client, tableName: target.tableName, close: () => undefined }),
    });
    expect(await runIdTagsCli(['list'], harness.deps)).toBe(1);
    expect(harness.err[0]).toMatch(/ResourceNotFoundException/);
    expect(harness.err[1]).toBe(
      'hint: table no-such-table does not exist at http://127.0.0.1:8000. Set TABLE_NAME or --table.',
    );
  });
});

describe('pnpm dev-token', () => {
  it('prints only a token the local API accepts', async () => {
    const harness = cliHarness(table);
    expect(await runDevTokenCli(['alice'], harness.deps)).toBe(0);
    expect(harness.out).toHaveLength(1);
    await expect(verifyDevToken(harness.out[0] ?? '')).resolves.toEqual({ sub: 'alice' });
  });

  it('--operator puts the user in the operators group (Cognito’s cognito:groups claim)', async () => {
    const harness = cliHarness(table);
    expect(await runDevTokenCli(['olga', '--operator'], harness.deps)).toBe(0);
    const claims = JSON.parse(
      Buffer.from((harness.out[0] ?? '').split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims).toMatchObject({ sub: 'olga', 'cognito:groups': ['operators'] });
    const plain = cliHarness(table);
    await runDevTokenCli(['alice'], plain.deps);
    expect(Buffer.from((plain.out[0] ?? '').split('.')[1] ?? '', 'base64url').toString()).not.toContain(
      'cognito',
    );
  });
});

describe('bad arguments: exit 2, and the message names the argument', () => {
  const cases: [
    string,
    (argv: string[], deps: ReturnType<typeof cliHarness>['deps']) => Promise<number>,
    string[],
    RegExp,
  ][] = [
    ['chargers: no command', runChargersCli, [], /missing command/],
    ['chargers: unknown command', runChargersCli, ['deregister', 'CP1'], /unknown command 'deregister'/],
    ['chargers: missing chargerId', runChargersCli, ['register'], /missing argument <chargerId>/],
    ['chargers: bad chargerId', runChargersCli, ['register', 'CP 1'], /<chargerId> must match/],
    ['chargers: extra argument', runChargersCli, ['register', 'CP1', 'CP2'], /unexpected argument 'CP2'/],
    [
      'chargers: connectors not a number',
      runChargersCli,
      ['register', 'CP1', '--connectors', 'two'],
      /--connectors must be an integer/,
    ],
    [
      'chargers: connectors zero',
      runChargersCli,
      ['register', 'CP1', '--connectors', '0'],
      /--connectors must be an integer/,
    ],
    [
      'chargers: connectors missing value',
      runChargersCli,
      ['register', 'CP1', '--connectors'],
      /--connectors/,
    ],
    ['chargers: unknown option', runChargersCli, ['register', 'CP1', '--conectors', '2'], /--conectors/],
    [
      'chargers: --aws without --cert-dir',
      runChargersCli,
      ['register', 'CP1', '--aws', '--policy', 'p', '--table', 't'],
      /--cert-dir is required/,
    ],
    [
      'chargers: --aws without --policy',
      runChargersCli,
      ['register', 'CP1', '--aws', '--cert-dir', '/tmp/x', '--table', 't'],
      /--policy is required/,
    ],
    [
      'chargers: --aws without a table',
      runChargersCli,
      ['register', 'CP1', '--aws', '--cert-dir', '/tmp/x', '--policy', 'p'],
      /--table \(or env TABLE_NAME\) is required/,
    ],
    [
      'chargers: --policy without --aws',
      runChargersCli,
      ['register', 'CP1', '--policy', 'p'],
      /--policy is only used with --aws/,
    ],
    [
      'chargers: commission without chargerId',
      runChargersCli,
      ['commission'],
      /missing argument <chargerId>/,
    ],
    ['chargers: commission bad chargerId', runChargersCli, ['commission', 'CP 1'], /<chargerId> must match/],
    [
      'chargers: commission with --pending',
      runChargersCli,
      ['commission', 'CP1', '--pending'],
      /--pending is not used by 'commission'/,
    ],
    [
      'chargers: commission with --connectors',
      runChargersCli,
      ['commission', 'CP1', '--connectors', '2'],
      /--connectors is not used by 'commission'/,
    ],
    [
      'chargers: commission --aws without a table',
      runChargersCli,
      ['commission', 'CP1', '--aws'],
      /--table \(or env TABLE_NAME\) is required/,
    ],
    [
      'chargers: bad account',
      runChargersCli,
      ['policy-document', '--region', 'r', '--account', '12', '--stage', 'prod'],
      /--account must be a 12-digit/,
    ],
    [
      'chargers: policy without a stage',
      runChargersCli,
      ['policy-document', '--region', 'r', '--account', '123456789012'],
      /--stage is required/,
    ],
    ['idtags: no command', runIdTagsCli, [], /missing command/],
    ['idtags: add without --user', runIdTagsCli, ['add', 'T1'], /--user is required/],
    ['idtags: add without idTag', runIdTagsCli, ['add', '--user', 'u'], /missing argument <idTag>/],
    [
      'idtags: idTag too long',
      runIdTagsCli,
      ['add', 'X'.repeat(21), '--user', 'u'],
      /<idTag> must be 1 to 20 characters/,
    ],
    [
      'idtags: bad --expires',
      runIdTagsCli,
      ['add', 'T1', '--user', 'u', '--expires', 'tomorrow'],
      /--expires must be an ISO-8601/,
    ],
    [
      'idtags: bad --max-concurrent',
      runIdTagsCli,
      ['add', 'T1', '--user', 'u', '--max-concurrent', '-1'],
      /--max-concurrent/,
    ],
    [
      'idtags: --user on block',
      runIdTagsCli,
      ['block', 'T1', '--user', 'u'],
      /--user is not used by 'block'/,
    ],
    ['idtags: list with argument', runIdTagsCli, ['list', 'all'], /unexpected argument 'all'/],
    ['dev-token: missing userId', runDevTokenCli, [], /missing argument <userId>/],
    [
      'dev-token: bad --expires-in',
      runDevTokenCli,
      ['alice', '--expires-in', '1h'],
      /--expires-in must be an integer/,
    ],
  ];

  it.each(cases)('%s', async (_name, run, argv, message) => {
    const harness = cliHarness(table);
    const code = await run(argv, harness.deps);
    expect(code).toBe(2);
    expect(harness.err[0]).toMatch(message);
    expect(harness.err.join('\n')).toContain('usage:');
    expect(harness.targets).toEqual([]);
    expect(harness.out).toEqual([]);
  });
});
