import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MeterContext, MeterEvent, Session } from '@evcharge/domain';
import { addIdTag, getConnector, getSession } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CHARGER_ID, lambdaContext, meterEvent } from '../helpers/factories.js';
import { authorizeSession, recordPlug } from '../helpers/lifecycle.js';
import { seedCharger } from '../helpers/seed.js';

// One charger's traffic through metering's real handler, with the authorizations and plug events other
// services own written as they write them (conditioned, re-read on a lost race: helpers/lifecycle.ts),
// delivered in order and in orders a shuffling transport produces. Every order must end with the same
// sessions and connector as the in-order delivery.

let testTable: TestTable;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let handlerClient: DynamoDBDocumentClient;
let nextConnectorId = 0;
const ID_TAG = 'TAG-ORDER';

beforeAll(async () => {
  testTable = await createTestTable('metering-order');
  process.env.TABLE_NAME = testTable.tableName;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  ({ handler } = await import('../../src/handlers/ingest-reading.js'));
  handlerClient = (await import('../../src/config.js')).table.client;
  await seedCharger(testTable, CHARGER_ID, 40);
  await addIdTag(testTable, { idTag: ID_TAG, userId: 'alice', maxConcurrent: 100 });
});

afterAll(async () => {
  await testTable.drop();
});

type Label = 'A' | 'B';
type Step =
  | { kind: 'auth'; session: Label; minute: number }
  | { kind: 'plug'; event: 'plugged' | 'unplugged'; minute: number }
  | { kind: 'reading'; minute: number; registerWh: number; session?: Label; context?: MeterContext };

const time = (minute: number) => new Date(Date.UTC(2026, 10, 25, 7, minute)).toISOString();

interface Run {
  connectorId: number;
  sessions: Map<Label, string>;
  /** Each step's message, fixed once, so a redelivery is the same message. */
  messageIds: Map<Step, string>;
}

function newRun(): Run {
  nextConnectorId += 1;
  return { connectorId: nextConnectorId, sessions: new Map(), messageIds: new Map() };
}

const messageIdOf = (run: Run, step: Step) => {
  const id = run.messageIds.get(step) ?? randomUUID();
  run.messageIds.set(step, id);
  return id;
};

function readingEvent(run: Run, step: Extract<Step, { kind: 'reading' }>): MeterEvent {
  const sessionId = step.session ? run.sessions.get(step.session) : undefined;
  if (step.session && !sessionId) throw new Error(`reading of session ${step.session} before its auth`);
  return meterEvent({
    messageId: messageIdOf(run, step),
    connectorId: run.connectorId,
    at: time(step.minute),
    receivedAt: Date.parse(time(step.minute)) + 250,
    energy: { value: step.registerWh, unit: 'Wh' },
    context: step.context ?? 'Sample.Periodic',
    ...(sessionId ? { sessionId } : {}),
  });
}

const ingest = (event: MeterEvent) => handler(event, lambdaContext('ingestReading'));

/** Delivers one step as its service's handler would; a reading that loses a race is retried, as Lambda does. */
async function deliver(run: Run, step: Step): Promise<void> {
  if (step.kind === 'auth') {
    const sessionId = await authorizeSession(testTable, {
      chargerId: CHARGER_ID,
      requestId: messageIdOf(run, step),
      connectorId: run.connectorId,
      idTag: ID_TAG,
      receivedAtMs: Date.parse(time(step.minute)),
      tariff: { pricePerKwhMinor: 350, currency: 'KRW' },
    });
    if (sessionId) run.sessions.set(step.session, sessionId);
    return;
  }
  if (step.kind === 'plug') {
    await recordPlug(testTable, {
      chargerId: CHARGER_ID,
      connectorId: run.connectorId,
      messageId: messageIdOf(run, step),
      event: step.event,
      at: time(step.minute),
      receivedAt: Date.parse(time(step.minute)) + 250,
    });
    return;
  }
  await ingestWithRetry(readingEvent(run, step));
}

async function ingestWithRetry(event: MeterEvent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ingest(event);
      return;
    } catch (error) {
      if ((error as Error).name !== 'TransientError' || attempt >= 3) throw error;
    }
  }
}

/** What must not depend on the order: each session's register and totals, and the connector's register. */
async function outcome(run: Run) {
  const sessions: Record<string, Partial<Session>> = {};
  for (const [label, sessionId] of run.sessions) {
    const session = await getSession(testTable, sessionId);
    sessions[label] = {
      status: session?.status,
      energyStartWh: session?.energyStartWh,
      latestRegisterWh: session?.latestRegisterWh,
      energyWh: session?.energyWh,
      costMinor: session?.costMinor,
    };
  }
  const connector = await getConnector(testTable, CHARGER_ID, run.connectorId);
  return { sessions, connectorRegisterWh: connector?.lastRegisterWh };
}

async function play(steps: Step[], order: number[]) {
  const run = newRun();
  for (const index of order) {
    const step = steps[index];
    if (!step) throw new Error(`no step ${index}`);
    await deliver(run, step);
  }
  return outcome(run);
}

const inOrder = (steps: Step[]) => steps.map((_, index) => index);

// Session A charges and ends; while the connector is free the charger sends a reading without sessionId
// (a clock-aligned sample: 12 500 Wh); then session B is authorized and charges.
const twoSessions: Step[] = [
  /* 0 */ { kind: 'plug', event: 'plugged', minute: 0 },
  /* 1 */ { kind: 'auth', session: 'A', minute: 1 },
  /* 2 */ { kind: 'reading', minute: 2, registerWh: 10_000, session: 'A', context: 'Transaction.Begin' },
  /* 3 */ { kind: 'reading', minute: 15, registerWh: 12_000, session: 'A' },
  /* 4 */ { kind: 'plug', event: 'unplugged', minute: 21 },
  /* 5 */ { kind: 'reading', minute: 25, registerWh: 12_500, context: 'Sample.Clock' },
  /* 6 */ { kind: 'plug', event: 'plugged', minute: 30 },
  /* 7 */ { kind: 'auth', session: 'B', minute: 31 },
  /* 8 */ { kind: 'reading', minute: 40, registerWh: 13_000 },
  /* 9 */ { kind: 'reading', minute: 50, registerWh: 14_000, session: 'B' },
  /* 10 */ { kind: 'plug', event: 'unplugged', minute: 55 },
];

describe('a reading without sessionId is linked by its time, not by when it is processed', () => {
  it('in order: the sessionless reading before B is B’s start; the one after B started is B’s', async () => {
    expect(await play(twoSessions, inOrder(twoSessions))).toEqual({
      sessions: {
        A: {
          status: 'Completed',
          energyStartWh: 10_000,
          latestRegisterWh: 12_000,
          energyWh: 2000,
          costMinor: 700,
        },
        B: {
          status: 'Completed',
          energyStartWh: 12_500,
          latestRegisterWh: 14_000,
          energyWh: 1500,
          costMinor: 525,
        },
      },
      connectorRegisterWh: 14_000,
    });
  });

  it.each([
    ['taken before B’s authorization, processed after it', [0, 1, 2, 3, 4, 6, 7, 5, 8, 9, 10]],
    ['taken before B’s authorization, processed after B’s own readings', [0, 1, 2, 3, 4, 6, 7, 8, 9, 5, 10]],
    ['taken during B, processed after B’s later reading', [0, 1, 2, 3, 4, 5, 6, 7, 9, 8, 10]],
    [
      'every message twice, readings shuffled across the plug and auth events',
      [0, 1, 3, 2, 2, 1, 4, 3, 6, 7, 9, 5, 8, 0, 9, 5, 8, 10, 4, 6, 7, 10],
    ],
  ])('%s: same sessions and connector as in order', async (_, order) => {
    const expected = await play(twoSessions, inOrder(twoSessions));
    expect(await play(twoSessions, order)).toEqual(expected);
  });
});

describe('a late reading of a session that has ended', () => {
  // A's Transaction.End (12 500 Wh) is the start of B, the session after it on the connector.
  const steps: Step[] = [
    /* 0 */ { kind: 'plug', event: 'plugged', minute: 0 },
    /* 1 */ { kind: 'auth', session: 'A', minute: 1 },
    /* 2 */ { kind: 'reading', minute: 2, registerWh: 10_000, session: 'A', context: 'Transaction.Begin' },
    /* 3 */ { kind: 'reading', minute: 15, registerWh: 12_000, session: 'A' },
    /* 4 */ { kind: 'reading', minute: 20, registerWh: 12_500, session: 'A', context: 'Transaction.End' },
    /* 5 */ { kind: 'plug', event: 'unplugged', minute: 21 },
    /* 6 */ { kind: 'plug', event: 'plugged', minute: 30 },
    /* 7 */ { kind: 'auth', session: 'B', minute: 31 },
    /* 8 */ { kind: 'reading', minute: 40, registerWh: 13_000, session: 'B' },
    /* 9 */ { kind: 'plug', event: 'unplugged', minute: 45 },
  ];

  it.each([
    ['processed after the unplug, while the connector is free', [0, 1, 2, 3, 5, 4, 6, 7, 8, 9]],
    ['processed while the next session holds the connector', [0, 1, 2, 3, 5, 6, 7, 4, 8, 9]],
    ['processed after the next session has ended too', [0, 1, 2, 3, 5, 6, 7, 8, 9, 4]],
  ])('%s: the next session starts from it, as in order', async (_, order) => {
    const expected = await play(steps, inOrder(steps));
    expect(expected.sessions.B).toMatchObject({ energyStartWh: 12_500, energyWh: 500, costMinor: 175 });
    expect(await play(steps, order)).toEqual(expected);
  });
});

describe('a reading without sessionId from a clock beyond the contract’s skew', () => {
  it('belongs to the session holding the connector (its device time cannot be compared)', async () => {
    const run = newRun();
    await deliver(run, { kind: 'plug', event: 'plugged', minute: 30 });
    await deliver(run, { kind: 'auth', session: 'B', minute: 31 });
    const sessionId = run.sessions.get('B');
    // The charger's clock is 3 hours behind: its reading says 04:40 and reaches the server at 07:40.
    const behind = meterEvent({
      connectorId: run.connectorId,
      at: '2026-11-25T04:40:00.000Z',
      receivedAt: Date.parse(time(40)),
      energy: { value: 13_000, unit: 'Wh' },
    });
    await expect(ingest(behind)).resolves.toMatchObject({ sessionId, applied: true });
    expect((await outcome(run)).sessions.B).toMatchObject({ latestRegisterWh: 13_000 });
  });
});

describe('a reading racing the write that changes its link', () => {
  /** Runs `concurrent` once, just before the next write of the given command on `client`. */
  function beforeNextWrite(
    client: DynamoDBDocumentClient,
    commandName: string,
    concurrent: () => Promise<unknown>,
  ) {
    let armed = true;
    const name = `race-${randomUUID()}`;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && context.commandName === commandName) {
          armed = false;
          await concurrent();
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    return () => client.middlewareStack.remove(name);
  }

  it('a session’s last reading planned while it was active, written after its unplug, still carries over to the connector and the next session', async () => {
    const steps: Step[] = [
      { kind: 'plug', event: 'plugged', minute: 0 },
      { kind: 'auth', session: 'A', minute: 1 },
      { kind: 'reading', minute: 2, registerWh: 10_000, session: 'A', context: 'Transaction.Begin' },
      { kind: 'reading', minute: 20, registerWh: 12_000, session: 'A', context: 'Transaction.End' },
      { kind: 'plug', event: 'unplugged', minute: 21 },
      { kind: 'plug', event: 'plugged', minute: 30 },
      { kind: 'auth', session: 'B', minute: 31 },
      { kind: 'reading', minute: 40, registerWh: 13_000, session: 'B' },
      { kind: 'plug', event: 'unplugged', minute: 45 },
    ];
    const expected = await play(steps, inOrder(steps));
    expect(expected.sessions.B).toMatchObject({ energyStartWh: 12_000, energyWh: 1000 });

    // The Transaction.End reading reads A as Charging; the unplug commits before its write 2.
    const run = newRun();
    const [plugA, authA, begin, end, unplugA, ...rest] = steps as [Step, Step, Step, Step, Step, ...Step[]];
    for (const step of [plugA, authA, begin]) await deliver(run, step);
    const disarm = beforeNextWrite(handlerClient, 'UpdateItemCommand', () => deliver(run, unplugA));
    try {
      await ingestWithRetry(readingEvent(run, end as Extract<Step, { kind: 'reading' }>));
    } finally {
      disarm();
    }
    for (const step of rest) await deliver(run, step);
    expect(await outcome(run)).toEqual(expected);
  });

  it('a reading without sessionId planned while the connector was free, written after an authorization took its start, still becomes that start', async () => {
    const steps: Step[] = [
      { kind: 'reading', minute: 0, registerWh: 9_000, context: 'Sample.Clock' },
      { kind: 'reading', minute: 25, registerWh: 12_500, context: 'Sample.Clock' },
      { kind: 'plug', event: 'plugged', minute: 30 },
      { kind: 'auth', session: 'B', minute: 31 },
      { kind: 'reading', minute: 40, registerWh: 13_000, session: 'B' },
    ];
    const expected = await play(steps, inOrder(steps));
    expect(expected.sessions.B).toMatchObject({ energyStartWh: 12_500, energyWh: 500 });

    const run = newRun();
    const [first, clock, plug, auth, own] = steps as [Step, Step, Step, Step, Step];
    for (const step of [first, plug]) await deliver(run, step);
    const disarm = beforeNextWrite(handlerClient, 'UpdateItemCommand', () => deliver(run, auth));
    try {
      await deliver(run, clock);
    } finally {
      disarm();
    }
    await deliver(run, own);
    expect(await outcome(run)).toEqual(expected);
  });

  it('an unplug that read the session before a late pre-session reading raised its start completes with the raised start', async () => {
    const steps: Step[] = [
      { kind: 'reading', minute: 0, registerWh: 12_000, context: 'Sample.Clock' },
      { kind: 'reading', minute: 25, registerWh: 12_500, context: 'Sample.Clock' },
      { kind: 'plug', event: 'plugged', minute: 30 },
      { kind: 'auth', session: 'B', minute: 31 },
      { kind: 'reading', minute: 40, registerWh: 13_000, session: 'B' },
      { kind: 'plug', event: 'unplugged', minute: 45 },
    ];
    const expected = await play(steps, inOrder(steps));
    expect(expected.sessions.B).toMatchObject({ energyStartWh: 12_500, energyWh: 500, costMinor: 175 });

    const run = newRun();
    const [first, clock, plug, auth, own, unplug] = steps as [Step, Step, Step, Step, Step, Step];
    for (const step of [first, plug, auth, own]) await deliver(run, step);
    // The late clock reading raises B's start between the unplug's read and its transaction.
    const disarm = beforeNextWrite(testTable.client, 'TransactWriteItemsCommand', () => deliver(run, clock));
    try {
      await deliver(run, unplug);
    } finally {
      disarm();
    }
    expect(await outcome(run)).toEqual(expected);
  });

  it('an authorization that read the connector’s register before a reading moved it re-reads, so its start is not stale', async () => {
    const steps: Step[] = [
      { kind: 'reading', minute: 0, registerWh: 9_000, context: 'Sample.Clock' },
      { kind: 'reading', minute: 25, registerWh: 12_500, context: 'Sample.Clock' },
      { kind: 'plug', event: 'plugged', minute: 30 },
      { kind: 'auth', session: 'B', minute: 31 },
      { kind: 'reading', minute: 40, registerWh: 13_000, session: 'B' },
    ];
    const expected = await play(steps, inOrder(steps));

    const run = newRun();
    const [first, clock, plug, auth, own] = steps as [Step, Step, Step, Step, Step];
    for (const step of [first, plug]) await deliver(run, step);
    // The reading commits between the authorization's read and its transaction.
    const disarm = beforeNextWrite(testTable.client, 'TransactWriteItemsCommand', () => deliver(run, clock));
    try {
      await deliver(run, auth);
    } finally {
      disarm();
    }
    await deliver(run, own);
    expect(await outcome(run)).toEqual(expected);
  });
});
