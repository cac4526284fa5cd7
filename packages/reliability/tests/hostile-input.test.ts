import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CommandRecord, RemoteRequest } from '@evcharge/domain';
import { addIdTag, createCommand, entities, itemOf, type TableContext } from '@evcharge/dynamo';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  authorizeFunction,
  authRequestEvent,
  fullRun,
  type HandlerHarness,
  type Invoke,
  propertyCases,
  ruleFields,
  runSeed,
  type ServiceFunction,
  serviceFunction,
  startHandlerHarness,
} from '../src/harness.js';
import { type HostileCase, hostileCaseArbitrary, type TopicShape } from '../src/hostile.js';
import { checkTableInvariants } from '../src/invariants.js';

// Property-based hostile input through the REAL handlers (middleware included), on DynamoDB Local.
// Bounded by default (pnpm test); RELIABILITY_FULL=1 runs ≥ 1,000 cases per topic.
const casesPerTopic = propertyCases;

const chargerA = 'CP-HOSTILE-A';
const chargerB = 'CP-HOSTILE-B';
const pick = <T>(values: T[]): T => values[Math.floor(Math.random() * values.length)] as T;
const envelope = () => ruleFields(pick([chargerA, chargerB]));
const connector = () => pick([1, 2]);
const nowIso = () => new Date().toISOString();

interface TopicUnderTest {
  name: string;
  lambda: ServiceFunction;
  shape: TopicShape;
}

const identity = { chargerId: 'chargerId', clientId: 'clientId' };
// Mostly NoError, with faults and their recovery, so the fault notifications run under hostile traffic too.
const statusReports = [
  { status: 'Available', errorCode: 'NoError' },
  { status: 'Preparing', errorCode: 'NoError' },
  { status: 'Charging', errorCode: 'NoError' },
  { status: 'SuspendedEV', errorCode: 'NoError' },
  { status: 'Finishing', errorCode: 'NoError' },
  { status: 'Unavailable', errorCode: 'NoError' },
  { status: 'Faulted', errorCode: 'GroundFailure' },
];
/** Pending remote requests and operator commands (seeded), each answered once by a response case. */
const pendingRemoteRequests: { chargerId: string; requestId: string }[] = [];
const pendingCommands: { chargerId: string; requestId: string }[] = [];

/** Seeds what the answer topics answer: a remote start and a Reset per case, alternating chargers. */
async function seedPendingRequests(table: TableContext): Promise<void> {
  const at = nowIso();
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  for (let index = 0; index < casesPerTopic; index++) {
    const chargerId = index % 2 === 0 ? chargerA : chargerB;
    const remote: RemoteRequest = {
      requestId: randomUUID(),
      action: 'start',
      chargerId,
      connectorId: 1,
      userId: 'user-hostile',
      idTag: 'TAG-HOSTILE',
      status: 'pending',
      requestedAt: at,
      expiresAt,
    };
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: itemOf(entities.remoteRequest, remote) }),
    );
    pendingRemoteRequests.push({ chargerId, requestId: remote.requestId });
    const command: CommandRecord = {
      chargerId,
      requestId: randomUUID(),
      action: 'Reset',
      payload: { type: 'Soft' },
      state: 'pending',
      sentAt: at,
      expiresAt,
    };
    await createCommand(table, command);
    pendingCommands.push({ chargerId, requestId: command.requestId });
  }
}

/** transactionIds the start cases were given, so most stop cases end a real transaction. */
const startedTransactionIds: number[] = [];
const topics: TopicUnderTest[] = [
  {
    name: 'auth/request',
    lambda: authorizeFunction,
    shape: {
      valid: () =>
        authRequestEvent({ chargerId: pick([chargerA, chargerB]), connectorId: 1, idTag: 'TAG-HOSTILE' }),
      required: ['requestId', 'connectorId', 'idTag', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'heartbeat',
    lambda: serviceFunction('heartbeat', 'heartbeat'),
    shape: {
      valid: () => ({ at: nowIso(), firmware: '1.4.2', intervalS: 300, ...envelope() }),
      required: ['at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'meter',
    lambda: serviceFunction('metering', 'ingest-reading'),
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        connectorId: connector(),
        at: nowIso(),
        energy: { value: 1_000 + Math.floor(Math.random() * 1_000), unit: 'Wh' },
        powerW: 7_200,
        context: 'Sample.Periodic',
        ...envelope(),
      }),
      required: [
        'messageId',
        'connectorId',
        'at',
        'energy',
        'context',
        'chargerId',
        'clientId',
        'receivedAt',
      ],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'plug',
    lambda: serviceFunction('plug-events', 'plug'),
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        connectorId: connector(),
        event: Math.random() < 0.5 ? 'plugged' : 'unplugged',
        at: nowIso(),
        ...envelope(),
      }),
      required: ['messageId', 'connectorId', 'event', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'boot',
    lambda: serviceFunction('heartbeat', 'boot'),
    shape: {
      valid: () => ({
        requestId: randomUUID(),
        chargePointVendor: 'Alfen BV',
        chargePointModel: 'NG920-5250',
        firmwareVersion: '6.1.0',
        at: nowIso(),
        ...envelope(),
      }),
      required: [
        'requestId',
        'chargePointVendor',
        'chargePointModel',
        'at',
        'chargerId',
        'clientId',
        'receivedAt',
      ],
      identity,
      strict: true,
    },
  },
  {
    name: 'authorize',
    lambda: serviceFunction('charge-authorization', 'authorize-id-tag'),
    shape: {
      valid: () => ({ requestId: randomUUID(), idTag: 'TAG-HOSTILE', at: nowIso(), ...envelope() }),
      required: ['requestId', 'idTag', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'status',
    lambda: serviceFunction('plug-events', 'status'),
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        connectorId: pick([0, 1, 2]),
        ...pick(statusReports),
        at: nowIso(),
        ...envelope(),
      }),
      required: [
        'messageId',
        'connectorId',
        'status',
        'errorCode',
        'at',
        'chargerId',
        'clientId',
        'receivedAt',
      ],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'tx/start',
    lambda: serviceFunction('charge-authorization', 'transaction-start'),
    shape: {
      valid: () => ({
        requestId: randomUUID(),
        connectorId: connector(),
        idTag: 'TAG-HOSTILE',
        meterStart: Math.floor(Math.random() * 1_000_000),
        at: nowIso(),
        ...envelope(),
      }),
      required: [
        'requestId',
        'connectorId',
        'idTag',
        'meterStart',
        'at',
        'chargerId',
        'clientId',
        'receivedAt',
      ],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'tx/stop',
    lambda: serviceFunction('charge-authorization', 'transaction-stop'),
    shape: {
      // Mostly transactions the start cases opened (on either charger: a wrong charger's id is an orphan too),
      // otherwise an id the counter never gave.
      valid: () => ({
        requestId: randomUUID(),
        transactionId:
          startedTransactionIds.length > 0 && Math.random() < 0.8
            ? pick(startedTransactionIds)
            : 1_000_000 + Math.floor(Math.random() * 1_000_000),
        meterStop: 1_000_000 + Math.floor(Math.random() * 1_000_000),
        reason: pick(['Local', 'EVDisconnected', 'Remote']),
        at: nowIso(),
        ...envelope(),
      }),
      required: ['requestId', 'transactionId', 'meterStop', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'meter v2',
    lambda: serviceFunction('metering', 'ingest-reading'),
    shape: {
      // OCPP MeterValues: a transaction the start cases opened (or none), several sampled values.
      valid: () => ({
        messageId: randomUUID(),
        connectorId: connector(),
        ...(startedTransactionIds.length > 0 && Math.random() < 0.5
          ? { transactionId: pick(startedTransactionIds) }
          : {}),
        meterValue: [
          {
            timestamp: nowIso(),
            sampledValue: [
              { value: String(1_000_000 + Math.floor(Math.random() * 1_000)), unit: 'Wh' },
              { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
              { value: '230.4', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
            ],
          },
        ],
        ...envelope(),
      }),
      required: ['messageId', 'meterValue', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    name: 'remote/resp',
    lambda: serviceFunction('metering', 'record-remote-response'),
    shape: {
      // The answer to a pending remote request of that charger (seeded), so valid answers are applied.
      valid: () => {
        const pending = pendingRemoteRequests.pop() ?? { chargerId: chargerA, requestId: randomUUID() };
        const status = pick(['Accepted', 'Rejected']);
        return { requestId: pending.requestId, status, at: nowIso(), ...ruleFields(pending.chargerId) };
      },
      required: ['requestId', 'status', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'command/resp',
    lambda: serviceFunction('heartbeat', 'command-response'),
    shape: {
      // The answer to a pending operator command of that charger (seeded), so valid answers are recorded.
      valid: () => {
        const pending = pendingCommands.pop() ?? { chargerId: chargerA, requestId: randomUUID() };
        return {
          requestId: pending.requestId,
          status: 'Accepted',
          at: nowIso(),
          ...ruleFields(pending.chargerId),
        };
      },
      required: ['requestId', 'status', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'firmware',
    lambda: serviceFunction('heartbeat', 'firmware-status'),
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        status: pick(['Downloading', 'Downloaded', 'Installing', 'Installed', 'Idle']),
        at: nowIso(),
        ...envelope(),
      }),
      required: ['messageId', 'status', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'diagnostics',
    lambda: serviceFunction('heartbeat', 'diagnostics-status'),
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        status: pick(['Idle', 'Uploading', 'Uploaded']),
        at: nowIso(),
        ...envelope(),
      }),
      required: ['messageId', 'status', 'at', 'chargerId', 'clientId', 'receivedAt'],
      identity,
      strict: true,
    },
  },
  {
    name: 'presence',
    lambda: serviceFunction('heartbeat', 'presence'),
    shape: {
      valid: () => ({
        clientId: pick([chargerA, chargerB]),
        timestamp: Date.now(),
        eventType: 'connected',
        sessionIdentifier: randomUUID(),
        principalIdentifier: chargerA,
        ipAddress: '192.0.2.10',
        versionNumber: Math.floor(Math.random() * 1_000),
      }),
      required: [
        'clientId',
        'timestamp',
        'eventType',
        'sessionIdentifier',
        'principalIdentifier',
        'versionNumber',
      ],
      strict: false,
    },
  },
];

let harness: HandlerHarness;
const handlers = new Map<string, Invoke>();

interface Figures {
  tried: number;
  rejected: number;
  accepted: number;
  crashes: string[];
  letterMismatches: string[];
  unnamedFields: number;
  mustRejectButAccepted: string[];
}
const figures = new Map<string, Figures>();

beforeAll(async () => {
  harness = await startHandlerHarness('hostile');
  for (const topic of topics) handlers.set(topic.name, await harness.load(topic.lambda));
  for (const chargerId of [chargerA, chargerB]) {
    await registerChargerLocally(harness.table, { chargerId, connectorCount: 2, now: new Date() });
  }
  await addIdTag(harness.table, { idTag: 'TAG-HOSTILE', userId: 'user-hostile', maxConcurrent: 5 });
  await seedPendingRequests(harness.table);
}, 60_000);

afterAll(async () => {
  const all = [...figures.values()];
  const sum = (pick: (f: Figures) => number) => all.reduce((n, f) => n + pick(f), 0);
  const invariants = harness ? await checkTableInvariants(harness.table) : undefined;
  console.log(
    [
      `reliability: hostile-input mode=${fullRun ? 'full' : 'bounded'} seed=${runSeed}`,
      ...[...figures].map(
        ([name, f]) =>
          `  ${name.padEnd(13)} cases=${f.tried} rejected=${f.rejected} accepted=${f.accepted} crashes=${f.crashes.length} dead-letter mismatches=${f.letterMismatches.length}`,
      ),
      `  total cases tried=${sum((f) => f.tried)} crashes=${sum((f) => f.crashes.length)} rejected-once=${sum((f) => f.rejected) - sum((f) => f.letterMismatches.length)}/${sum((f) => f.rejected)} invariant violations=${invariants?.violations.length ?? 'n/a'} (items=${invariants?.items}, sessions=${invariants?.sessions})`,
    ].join('\n'),
  );
  await harness?.close();
});

async function runCase(topic: TopicUnderTest, hostile: HostileCase, tally: Figures): Promise<void> {
  const handler = handlers.get(topic.name) as Invoke;
  const lettersBefore = harness.aws.deadLetters().length;
  tally.tried++;
  let result: unknown;
  try {
    result = await handler(hostile.event);
  } catch (error) {
    tally.crashes.push(`${hostile.mutations.map((m) => m.describe).join(' ; ')}: ${String(error)}`);
    return;
  }
  const letters = harness.aws.deadLetters().slice(lettersBefore);
  const transactionId = (result as { transactionId?: unknown } | undefined)?.transactionId;
  if (topic.name === 'tx/start' && typeof transactionId === 'number')
    startedTransactionIds.push(transactionId);
  const rejected =
    typeof result === 'object' && result !== null && (result as { rejected?: unknown }).rejected === true;
  if (rejected) {
    tally.rejected++;
    const field = (result as { field?: unknown }).field;
    if (typeof field !== 'string' || field.length === 0) tally.unnamedFields++;
    const letter = letters[0];
    if (
      letters.length !== 1 ||
      letter?.functionName !== topic.lambda.functionName ||
      letter?.field !== field
    ) {
      tally.letterMismatches.push(
        `${letters.length} letters for ${hostile.mutations.map((m) => m.describe).join(' ; ')}`,
      );
    }
  } else {
    tally.accepted++;
    if (letters.length !== 0) tally.letterMismatches.push(`accepted but ${letters.length} letters`);
    if (hostile.mustReject)
      tally.mustRejectButAccepted.push(hostile.mutations.map((m) => m.describe).join(' ; '));
  }
}

describe(`hostile input through the real handlers (${casesPerTopic} cases per topic)`, () => {
  it.each(topics.map((topic) => [topic.name, topic] as const))(
    '%s: never crashes, rejects bad input once with the field named, dead-letters exactly the rejections',
    async (_name, topic) => {
      const tally: Figures = {
        tried: 0,
        rejected: 0,
        accepted: 0,
        crashes: [],
        letterMismatches: [],
        unnamedFields: 0,
        mustRejectButAccepted: [],
      };
      figures.set(topic.name, tally);
      await fc.assert(
        fc.asyncProperty(hostileCaseArbitrary(topic.shape), async (hostile) => {
          await runCase(topic, hostile, tally);
        }),
        { numRuns: casesPerTopic, seed: runSeed },
      );
      expect(tally.tried).toBe(casesPerTopic);
      expect(tally.crashes).toEqual([]);
      expect(tally.letterMismatches).toEqual([]);
      expect(tally.unnamedFields).toBe(0);
      expect(tally.mustRejectButAccepted).toEqual([]);
      expect(tally.rejected).toBeGreaterThan(casesPerTopic / 2);
      expect(tally.accepted).toBeGreaterThan(0);
    },
    fullRun ? 600_000 : 60_000,
  );

  it('leaves the table consistent: no connector with two sessions, no negative energy, no orphan activeSessionId', async () => {
    const report = await checkTableInvariants(harness.table);
    expect(report.violations).toEqual([]);
    expect(report.connectors).toBeGreaterThanOrEqual(4);
  });
});
