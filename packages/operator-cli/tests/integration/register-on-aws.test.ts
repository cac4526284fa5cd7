import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import { getCharger, listConnectors } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { runChargersCli } from '../../src/cli/chargers-command.js';
import { chargerIotPolicies } from '../../src/iot-policy.js';
import { registerChargerOnAws } from '../../src/registration.js';
import { cliHarness, newIotClient } from '../helpers/cli.js';

// No local IoT control plane exists, so the IoT client is mocked; the table is real DynamoDB Local.

const certificateArn = 'arn:aws:iot:eu-west-1:123456789012:cert/abc123';
const iotMock = mockClient(IoTClient);
let table: TestTable;
let certDir: string;

beforeAll(async () => {
  table = await createTestTable('operator-aws');
});
afterAll(async () => {
  await table.drop();
  iotMock.restore();
});
beforeEach(async () => {
  iotMock.reset();
  iotMock.on(CreateThingCommand).resolves({
    thingName: 'CP-AWS-1',
    thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/CP-AWS-1',
  });
  iotMock.on(CreateKeysAndCertificateCommand).resolves({
    certificateArn,
    certificateId: 'abc123',
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    keyPair: {
      PublicKey: 'pub',
      PrivateKey: '-----BEGIN RSA PRIVATE KEY-----\nsecret\n-----END RSA PRIVATE KEY-----\n',
    },
  });
  iotMock.on(AttachPolicyCommand).resolves({});
  iotMock.on(AttachThingPrincipalCommand).resolves({});
  certDir = join(await mkdtemp(join(tmpdir(), 'evcharge-certs-')), 'certs');
});

function sentCommands() {
  return iotMock.calls().map((call) => ({
    command: call.args[0].constructor.name,
    input: call.args[0].input,
  }));
}

describe('registerChargerOnAws', () => {
  it('sends exactly CreateThing, CreateKeysAndCertificate, AttachPolicy, AttachThingPrincipal, then records the charger', async () => {
    const iot = newIotClient();
    const registration = await registerChargerOnAws(
      iot,
      table,
      { chargerId: 'CP-AWS-1', connectorCount: 2, now: new Date('2026-11-25T07:00:00.000Z') },
      { certDir, policyName: 'ev-charging-prod-charger' },
    );

    expect(sentCommands()).toEqual([
      { command: 'CreateThingCommand', input: { thingName: 'CP-AWS-1' } },
      { command: 'CreateKeysAndCertificateCommand', input: { setAsActive: true } },
      {
        command: 'AttachPolicyCommand',
        input: { policyName: 'ev-charging-prod-charger', target: certificateArn },
      },
      {
        command: 'AttachPolicyCommand',
        input: { policyName: 'ev-charging-prod-charger-commands', target: certificateArn },
      },
      {
        command: 'AttachPolicyCommand',
        input: { policyName: 'ev-charging-prod-charger-ingest', target: certificateArn },
      },
      { command: 'AttachThingPrincipalCommand', input: { thingName: 'CP-AWS-1', principal: certificateArn } },
    ]);
    expect(registration).toMatchObject({ chargerId: 'CP-AWS-1', certificateArn, certificateId: 'abc123' });

    const charger = await getCharger(table, 'CP-AWS-1');
    expect(charger).toMatchObject({ chargerId: 'CP-AWS-1', connectorCount: 2, status: 'offline' });
    expect(charger?.credentialHash).toBeUndefined();
    expect(await listConnectors(table, 'CP-AWS-1')).toHaveLength(2);

    expect(await readFile(registration.certificatePath, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(await readFile(registration.privateKeyPath, 'utf8')).toContain('secret');
    expect((await stat(registration.certificatePath)).mode & 0o777).toBe(0o600);
    expect((await stat(registration.privateKeyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(certDir)).mode & 0o777).toBe(0o700);
    iot.destroy();
  });

  it('tightens an existing, world-readable key file to 0600 when it overwrites it', async () => {
    const iot = newIotClient();
    await registerChargerOnAws(
      iot,
      table,
      { chargerId: 'CP-AWS-1', connectorCount: 1, now: new Date() },
      {
        certDir,
        policyName: 'p',
      },
    );
    const keyPath = join(certDir, 'CP-AWS-1.private.key');
    await writeFile(keyPath, 'old', { mode: 0o644 });
    await registerChargerOnAws(
      iot,
      table,
      { chargerId: 'CP-AWS-1', connectorCount: 1, now: new Date() },
      {
        certDir,
        policyName: 'p',
      },
    );
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    iot.destroy();
  });

  it('does not record the charger when attaching the policy fails, but keeps the key it cannot get again', async () => {
    iotMock
      .on(AttachPolicyCommand)
      .rejects(Object.assign(new Error('policy missing'), { name: 'ResourceNotFoundException' }));
    const iot = newIotClient();
    await expect(
      registerChargerOnAws(
        iot,
        table,
        { chargerId: 'CP-AWS-FAIL', connectorCount: 1, now: new Date() },
        {
          certDir,
          policyName: 'missing',
        },
      ),
    ).rejects.toThrow('policy missing');
    expect(sentCommands().map((call) => call.command)).toEqual([
      'CreateThingCommand',
      'CreateKeysAndCertificateCommand',
      'AttachPolicyCommand',
    ]);
    expect(await getCharger(table, 'CP-AWS-FAIL')).toBeUndefined();
    expect((await stat(join(certDir, 'CP-AWS-FAIL.private.key'))).mode & 0o777).toBe(0o600);
    iot.destroy();
  });

  it('runs from `pnpm chargers register --aws`', async () => {
    const harness = cliHarness(table, { openIot: newIotClient });
    const code = await runChargersCli(
      [
        'register',
        'CP-AWS-1',
        '--aws',
        '--cert-dir',
        certDir,
        '--policy',
        'prod-charger',
        '--table',
        table.tableName,
      ],
      harness.deps,
    );
    expect(harness.err).toEqual([]);
    expect(code).toBe(0);
    expect(harness.targets).toEqual([{ endpoint: undefined, tableName: table.tableName }]);
    expect(sentCommands().map((call) => call.command)).toEqual([
      'CreateThingCommand',
      'CreateKeysAndCertificateCommand',
      'AttachPolicyCommand',
      'AttachPolicyCommand',
      'AttachPolicyCommand',
      'AttachThingPrincipalCommand',
    ]);
    expect(harness.out.join('\n')).toContain(`${certDir}/CP-AWS-1.private.key (0600)`);
    expect(harness.out.join('\n')).toContain(
      'policies:    prod-charger, prod-charger-commands, prod-charger-ingest',
    );
    await rm(certDir, { recursive: true, force: true });
  });

  it('registers Pending on AWS with `--pending`, Accepted without', async () => {
    const harness = cliHarness(table, { openIot: newIotClient });
    const register = (extra: string[]) =>
      runChargersCli(
        [
          'register',
          'CP-AWS-1',
          '--aws',
          '--cert-dir',
          certDir,
          '--policy',
          'p',
          '--table',
          table.tableName,
          ...extra,
        ],
        harness.deps,
      );
    expect(await register(['--pending'])).toBe(0);
    expect(harness.out).toContain(
      '  Pending: its BootNotification is answered Pending until `npm run chargers -- commission CP-AWS-1`.',
    );
    expect((await getCharger(table, 'CP-AWS-1'))?.registrationStatus).toBe('Pending');
    expect(await register([])).toBe(0);
    expect((await getCharger(table, 'CP-AWS-1'))?.registrationStatus).toBe('Accepted');
    await rm(certDir, { recursive: true, force: true });
  });

  it('creates the production policy from `pnpm chargers create-policy`', async () => {
    iotMock
      .on(CreatePolicyCommand)
      .resolves({ policyArn: 'arn:aws:iot:eu-west-1:123456789012:policy/charger' });
    const harness = cliHarness(table, { openIot: newIotClient });
    const code = await runChargersCli(
      [
        'create-policy',
        '--policy',
        'charger',
        '--region',
        'eu-west-1',
        '--account',
        '123456789012',
        '--stage',
        'prod',
      ],
      harness.deps,
    );
    expect(harness.err).toEqual([]);
    expect(code).toBe(0);
    const [device, commands, ingest] = chargerIotPolicies('eu-west-1', '123456789012', 'prod');
    expect(sentCommands()).toEqual([
      {
        command: 'CreatePolicyCommand',
        input: { policyName: 'charger', policyDocument: JSON.stringify(device?.document) },
      },
      {
        command: 'CreatePolicyCommand',
        input: { policyName: 'charger-commands', policyDocument: JSON.stringify(commands?.document) },
      },
      {
        command: 'CreatePolicyCommand',
        input: { policyName: 'charger-ingest', policyDocument: JSON.stringify(ingest?.document) },
      },
    ]);
    expect(harness.targets).toEqual([]);
  });
});
