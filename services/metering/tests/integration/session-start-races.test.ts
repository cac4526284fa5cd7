// @lane isolated: readings of one session race each other and its plug event; nothing else may share the CPU.
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterEvent } from '@evcharge/domain';
import { addIdTag, getSession, sessionTransition } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IngestOutcome } from '../../src/ingest-reading.js';
import { listConnectorReadings } from '../../src/store.js';
import { CHARGER_ID, lambdaContext, meterEvent } from '../helpers/factories.js';
import { authorizeSession, recordPlug } from '../helpers/lifecycle.js';
import { seedCharger } from '../helpers/seed.js';

// The end-to-end run that once stored 800 Wh for 1,400: a v1 charger is authorized, then sends its plug event
// and three readings naming the session (5,000, 5,600 and 6,400 Wh) without waiting, their device times equal
// or a millisecond apart. Processed in any order, at once, or each interleaved between another's read and
// write, the session must end as in order: started at 5,000, latest 6,400, 1,400 Wh; redelivered, unchanged.

let testTable: TestTable;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let handlerClient: DynamoDBDocumentClient;
let nextConnectorId = 0;
const ID_TAG = 'TAG-START-RACES';
const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  testTable = await createTestTable('metering-start-races');
  process.env.TABLE_NAME = testTable.tableName;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  ({ handler } = await import('../../src/handlers/ingest-reading.js'));
  handlerClient = (await import('../../src/config.js')).table.client;
  await seedCharger(testTable, CHARGER_ID, 200);
  await addIdTag(testTable, { idTag: ID_TAG, userId: 'alice', maxConcurrent: 500 });
});

afterAll(async () => {
  await testTable.drop();
});

const REGISTERS = [5_000, 5_600, 6_400] as const;

/** Device times (ms after the authorization) of the three readings, as `new Date()` at publish gives them. */
const clocks = [
  ['a millisecond apart', [10, 11, 12]],
  ['all in the same millisecond', [10, 10, 10]],
  ['the first two in the same millisecond', [10, 10, 12]],
] as const;

interface Run {
  connectorId: number;
  sessionId: string;
  plug: () => Promise<void>;
  readings: MeterEvent[];
}

/** A session authorized on a connector of its own, and its plug event and readings, each message fixed once. */
async function newRun(offsetsMs: readonly number[]): Promise<Run> {
  nextConnectorId += 1;
  const connectorId = nextConnectorId;
  const sessionId = await authorizeSession(testTable, {
    chargerId: CHARGER_ID,
    requestId: randomUUID(),
    connectorId,
    idTag: ID_TAG,
    receivedAtMs: T0,
    tariff: { pricePerKwhMinor: 350, currency: 'KRW' },
  });
  if (!sessionId) throw new Error(`connector ${connectorId} refused the authorization`);
  const plugMessageId = randomUUID();
  const plug = () =>
    recordPlug(testTable, {
      chargerId: CHARGER_ID,
      connectorId,
      messageId: plugMessageId,
      event: 'plugged',
      at: iso(T0 + 5),
      receivedAt: T0 + 8,
    });
  const readings = REGISTERS.map((registerWh, index) =>
    meterEvent({
      connectorId,
      sessionId,
      at: iso(T0 + (offsetsMs[index] ?? 0)),
      receivedAt: T0 + (offsetsMs[index] ?? 0) + 20,
      energy: { value: registerWh, unit: 'Wh' },
      powerW: 7_400,
      context: 'Sample.Periodic',
    }),
  );
  return { connectorId, sessionId, plug, readings };
}

/** One invocation of the real handler, as Lambda makes it (no retry: a lost race must not need one). */
const ingest = (event: MeterEvent) =>
  handler(event, lambdaContext('ingestReading')) as Promise<IngestOutcome>;

/** What every order must end with: the session's totals, and each reading stored exactly once. */
async function outcome(run: Run) {
  const session = await getSession(testTable, run.sessionId);
  const stored = await listConnectorReadings(testTable, CHARGER_ID, run.connectorId);
  return {
    status: session?.status,
    energyStartWh: session?.energyStartWh,
    latestRegisterWh: session?.latestRegisterWh,
    energyWh: session?.energyWh,
    costMinor: session?.costMinor,
    storedRegisters: stored.map((reading) => reading.registerWh ?? 0).sort((a, b) => a - b),
  };
}

const IN_ORDER = {
  status: 'Charging',
  energyStartWh: 5_000,
  latestRegisterWh: 6_400,
  energyWh: 1_400,
  costMinor: 490,
  storedRegisters: [5_000, 5_600, 6_400],
};

/** Every message again, newest first: a redelivery stores nothing and moves nothing. */
async function redeliverAll(run: Run): Promise<void> {
  for (const reading of [...run.readings].reverse()) {
    await expect(ingest(reading)).resolves.toMatchObject({ stored: 'duplicate' });
  }
  await run.plug();
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

type Message = 'plug' | 'r5000' | 'r5600' | 'r6400';
const MESSAGES: Message[] = ['plug', 'r5000', 'r5600', 'r6400'];

function deliver(run: Run, message: Message): Promise<unknown> {
  if (message === 'plug') return run.plug();
  const reading = run.readings[REGISTERS.indexOf(Number(message.slice(1)) as (typeof REGISTERS)[number])];
  if (!reading) throw new Error(`no reading ${message}`);
  return ingest(reading);
}

describe('the plug event and the readings, one at a time in every order', () => {
  it('in order: started at the first reading, 1,400 Wh', async () => {
    const run = await newRun([10, 11, 12]);
    for (const message of MESSAGES) await deliver(run, message);
    expect(await outcome(run)).toEqual(IN_ORDER);
  });

  const orders = clocks.flatMap(([clock, offsets]) =>
    permutations(MESSAGES).map((order) => [clock, order.join(', '), offsets, order] as const),
  );
  it.each(orders)(
    'readings %s, processed %s: as in order, and redelivered unchanged',
    async (_clock, _label, offsets, order) => {
      const run = await newRun(offsets);
      for (const message of order) await deliver(run, message);
      expect(await outcome(run)).toEqual(IN_ORDER);
      await redeliverAll(run);
      expect(await outcome(run)).toEqual(IN_ORDER);
    },
  );
});

describe('the readings of one session processed at once', () => {
  const starts = clocks.flatMap(([clock, offsets]) =>
    permutations([0, 1, 2]).map(
      (order) => [clock, order.map((index) => REGISTERS[index]).join(', '), offsets, order] as const,
    ),
  );

  it.each(starts)(
    'readings %s, after the plug, started %s: none needs a retry, and the session ends as in order',
    async (_clock, _label, offsets, order) => {
      const run = await newRun(offsets);
      await run.plug();
      const outcomes = await Promise.all(order.map((index) => ingest(run.readings[index] as MeterEvent)));
      expect(await outcome(run)).toEqual(IN_ORDER);
      for (const result of outcomes)
        expect(result).toMatchObject({ stored: 'stored', sessionId: run.sessionId });
      await redeliverAll(run);
      expect(await outcome(run)).toEqual(IN_ORDER);
    },
  );

  it.each(starts)(
    'readings %s, beside the plug, started %s: none needs a retry, and the session ends as in order',
    async (_clock, _label, offsets, order) => {
      const run = await newRun(offsets);
      const [, ...outcomes] = await Promise.all([
        run.plug(),
        ...order.map((index) => ingest(run.readings[index] as MeterEvent)),
      ]);
      expect(await outcome(run)).toEqual(IN_ORDER);
      for (const result of outcomes)
        expect(result).toMatchObject({ stored: 'stored', sessionId: run.sessionId });
      await redeliverAll(run);
      expect(await outcome(run)).toEqual(IN_ORDER);
    },
  );
});

/**
 * Runs `victim`, committing the next of `others` just before each of its session writes (write 2, an
 * UpdateItem), as concurrent invocations would between its read and its write; the writes `others` make
 * themselves pass. Whatever of `others` is left runs after. Settles with the victim's outcome or error name.
 */
async function interleaved(
  others: (() => Promise<unknown>)[],
  victim: () => Promise<IngestOutcome>,
): Promise<{ outcome: IngestOutcome } | { error: string }> {
  const queue = [...others];
  let interleaving = false;
  const name = `interleave-${randomUUID()}`;
  handlerClient.middlewareStack.add(
    (next, context) => async (args) => {
      const other = queue[0];
      if (!interleaving && context.commandName === 'UpdateItemCommand' && other) {
        queue.shift();
        interleaving = true;
        try {
          await other();
        } finally {
          interleaving = false;
        }
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  let settled: { outcome: IngestOutcome } | { error: string };
  try {
    settled = await victim().then(
      (outcome) => ({ outcome }),
      (error: Error) => ({ error: error.name }),
    );
  } finally {
    handlerClient.middlewareStack.remove(name);
  }
  for (const other of queue) await other();
  return settled;
}

describe('a reading whose every write another write of the session overtakes', () => {
  // The e2e anomaly: 5,000 read the session, then 6,400, the plug and 5,600 each landed before its write.
  const cases = clocks.flatMap(([clock, offsets]) =>
    MESSAGES.filter((message) => message !== 'plug').flatMap((victim) =>
      permutations(MESSAGES.filter((message) => message !== victim)).map(
        (others) => [clock, victim, others.join(', '), offsets, victim, others] as const,
      ),
    ),
  );

  it.each(cases)(
    'readings %s: %s, overtaken by %s, lands in its own invocation, as in order',
    async (_clock, _victimLabel, _othersLabel, offsets, victim, others) => {
      const run = await newRun(offsets);
      const settled = await interleaved(
        others.map((message) => () => deliver(run, message)),
        () => deliver(run, victim) as Promise<IngestOutcome>,
      );
      expect(await outcome(run)).toEqual(IN_ORDER);
      expect(settled).toMatchObject({ outcome: { stored: 'stored', sessionId: run.sessionId } });
      await redeliverAll(run);
      expect(await outcome(run)).toEqual(IN_ORDER);
    },
  );
});

describe('an OCPP transaction attached between a reading’s read and its write', () => {
  it('the reading is planned again: the start stays the transaction’s meterStart', async () => {
    // The session's first reading (5,000 Wh at +10 ms) set its start; the charger's transaction/start then
    // attaches with meterStart 5,000 at that same time, as charge-authorization writes it, while an older
    // reading (4,900 Wh at +9 ms) is between its read and its write. Only the status and the transaction
    // tell the write its plan is stale: the registers it read are the ones the attach wrote.
    const run = await newRun([10, 11, 12]);
    await deliver(run, 'r5000');
    const attach = () =>
      testTable.client.send(
        new UpdateCommand(
          sessionTransition(testTable.tableName, run.sessionId, {
            from: 'Authorized',
            to: 'Charging',
            set: {
              transactionId: 4_242,
              energyStartWh: 5_000,
              energyStartAt: iso(T0 + 10),
              chargingStartedAt: iso(T0 + 10),
            },
            unchanged: { transactionId: undefined },
          }).Update,
        ),
      );
    const older = meterEvent({
      connectorId: run.connectorId,
      sessionId: run.sessionId,
      at: iso(T0 + 9),
      receivedAt: T0 + 29,
      energy: { value: 4_900, unit: 'Wh' },
    });
    const settled = await interleaved([attach], () => ingest(older));
    expect(settled).toMatchObject({ outcome: { stored: 'stored', sessionId: run.sessionId } });
    expect(await getSession(testTable, run.sessionId)).toMatchObject({
      status: 'Charging',
      transactionId: 4_242,
      energyStartWh: 5_000,
      latestRegisterWh: 5_000,
    });
  });
});
