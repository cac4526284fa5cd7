import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterValuesEvent, Session } from '@evcharge/domain';
import { entities, getCharger, getConnector, getMeterRequest, getSession, itemOf } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listConnectorReadings, listSessionReadings } from '../../src/store.js';
import { type CommandCounter, countCommands } from '../helpers/command-counter.js';
import {
  CHARGER_ID,
  lambdaContext,
  meterValuesEvent,
  sampledValue,
  session as sessionFactory,
} from '../helpers/factories.js';
import { seedCharger, seedSession, seedTransaction, seedTransactionStop } from '../helpers/seed.js';

// The v2 shape of `meter` (OCPP 1.6 MeterValues) against DynamoDB Local: each timestamp a reading, linked
// through the Transaction item charge-authorization writes; only the register and power drive the session;
// a StopTransaction's transactionData replayed after the stop ends as if it had come first.

let testTable: TestTable;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let counter: CommandCounter;
let handlerClient: DynamoDBDocumentClient;
let connectorId = 0;
let nextTransactionId = 100;

beforeAll(async () => {
  testTable = await createTestTable('metering-meter-values');
  process.env.TABLE_NAME = testTable.tableName;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  ({ handler } = await import('../../src/handlers/ingest-reading.js'));
  handlerClient = (await import('../../src/config.js')).table.client;
  counter = countCommands(handlerClient);
  await seedCharger(testTable, CHARGER_ID, 60);
});

afterAll(async () => {
  await testTable.drop();
});

const at = (minute: number) => `2026-11-25T06:${String(minute).padStart(2, '0')}:00.000Z`;
const METER_START = 10_000;

interface OpenTransaction {
  session: Session;
  transactionId: number;
  connectorId: number;
}

/** A session an OCPP transaction/start opened at 06:00 with meterStart 10 000 Wh, on its own connector. */
async function openTransaction(options: { refused?: boolean } = {}): Promise<OpenTransaction> {
  connectorId += 1;
  const transactionId = nextTransactionId++;
  const session = sessionFactory({
    connectorId,
    startedAt: at(0),
    chargingStartedAt: at(0),
    energyStartWh: METER_START,
    energyStartAt: at(0),
    transactionId,
  });
  if (!options.refused) await seedSession(testTable, session);
  await seedTransaction(testTable, {
    transactionId,
    chargerId: CHARGER_ID,
    connectorId,
    idTag: session.idTag,
    meterStart: METER_START,
    startedAt: at(0),
    ...(options.refused ? {} : { sessionId: session.sessionId }),
  });
  return { session, transactionId, connectorId };
}

type Sample = { minute: number; registerWh?: number; powerW?: number; context?: string };

/** One v2 message of the transaction: per timestamp its register (Wh) and power (W) as OCPP sends them. */
function message(transaction: OpenTransaction, samples: Sample[], overrides: Partial<MeterValuesEvent> = {}) {
  return meterValuesEvent({
    connectorId: transaction.connectorId,
    transactionId: transaction.transactionId,
    meterValue: samples.map(({ minute, registerWh, powerW, context = 'Sample.Periodic' }) => ({
      timestamp: at(minute),
      sampledValue: [
        ...(registerWh === undefined
          ? []
          : [sampledValue({ value: String(registerWh), context: context as never })]),
        ...(powerW === undefined
          ? []
          : [
              sampledValue({
                value: String(powerW),
                measurand: 'Power.Active.Import',
                unit: 'W',
                context: context as never,
              }),
            ]),
      ],
    })),
    ...overrides,
  });
}

const ingest = (event: MeterValuesEvent) => handler(event, lambdaContext('ingestReading'));
const sessionOf = async (transaction: OpenTransaction) =>
  (await getSession(testTable, transaction.session.sessionId))!;

describe('v2 MeterValues: readings, links, kept values', () => {
  it('makes each timestamp a reading of the transaction’s session; register and power drive it, the rest is kept', async () => {
    const transaction = await openTransaction();
    const event = meterValuesEvent({
      connectorId: transaction.connectorId,
      transactionId: transaction.transactionId,
      // Newest first, as some chargers send them: processed oldest first all the same.
      meterValue: [
        {
          timestamp: at(15),
          sampledValue: [
            sampledValue({ value: '99999', phase: 'L1' }), // one phase's register: kept, not the register
            sampledValue({ value: '12.5', unit: 'kWh' }),
            sampledValue({ value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' }),
            sampledValue({ value: '230.1', measurand: 'Voltage', unit: 'V', phase: 'L1-N' }),
            sampledValue({ value: '55', measurand: 'SoC', unit: 'Percent', location: 'EV' }),
            sampledValue({ value: '31.9', measurand: 'Current.Import', unit: 'A', phase: 'L1' }),
          ],
        },
        {
          timestamp: at(0),
          sampledValue: [sampledValue({ value: '10000', context: 'Transaction.Begin' })],
        },
      ],
    });

    await expect(ingest(event)).resolves.toEqual({
      readings: [
        { stored: 'stored', sessionId: transaction.session.sessionId, applied: true },
        { stored: 'stored', sessionId: transaction.session.sessionId, applied: true },
      ],
    });
    expect(await sessionOf(transaction)).toMatchObject({
      status: 'Charging',
      energyStartWh: METER_START,
      latestRegisterWh: 12_500,
      energyWh: 2500,
      costMinor: 875,
      powerW: 7200,
      lastReadingAt: at(15),
    });
    const readings = await listSessionReadings(testTable, transaction.session.sessionId);
    expect(readings).toMatchObject([
      {
        at: at(0),
        registerWh: 10_000,
        context: 'Transaction.Begin',
        transactionId: transaction.transactionId,
      },
      { at: at(15), registerWh: 12_500, powerW: 7200, context: 'Sample.Periodic' },
    ]);
    expect(readings.every((reading) => reading.anomaly === undefined)).toBe(true);
    expect(readings[1]?.sampledValues).toEqual(event.meterValue[0]?.sampledValue);
    expect(readings[1]?.sampledValues).toContainEqual(
      expect.objectContaining({ value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' }),
    );
  });

  it('takes the connector from the transaction when the message names none (transactionData from a gateway)', async () => {
    const transaction = await openTransaction();
    const { connectorId: _none, ...withoutConnector } = meterValuesEvent({
      transactionId: transaction.transactionId,
      meterValue: [
        { timestamp: at(20), sampledValue: [sampledValue({ value: '11000', context: 'Transaction.End' })] },
      ],
    });
    await expect(ingest(withoutConnector)).resolves.toEqual({
      readings: [{ stored: 'stored', sessionId: transaction.session.sessionId, applied: true }],
    });
    expect(await sessionOf(transaction)).toMatchObject({ latestRegisterWh: 11_000, energyWh: 1000 });
    const unknown = { ...withoutConnector, messageId: randomUUID(), transactionId: 2_000_000_000 };
    await expect(ingest(unknown)).resolves.toMatchObject({ rejected: true, field: 'transactionId' });
  });

  it('keeps a repeated message (same messageId) once and moves nothing', async () => {
    const transaction = await openTransaction();
    const event = message(transaction, [
      { minute: 0, registerWh: 10_000, context: 'Transaction.Begin' },
      { minute: 15, registerWh: 11_000, powerW: 7000 },
    ]);
    await ingest(event);
    const before = await sessionOf(transaction);
    counter.reset();

    await expect(ingest(event)).resolves.toEqual({
      readings: [
        {
          stored: 'duplicate',
          sessionId: transaction.session.sessionId,
          applied: false,
          anomaly: 'out-of-order',
        },
        {
          stored: 'duplicate',
          sessionId: transaction.session.sessionId,
          applied: false,
          anomaly: 'out-of-order',
        },
      ],
    });
    // Write 1 of each reading found it stored; no effects were left to write.
    expect(counter.writes()).toEqual(['PutItemCommand', 'PutItemCommand']);
    expect(await sessionOf(transaction)).toEqual(before);
    expect(await listConnectorReadings(testTable, CHARGER_ID, transaction.connectorId)).toHaveLength(2);
  });

  it('keeps connector 0 (the main meter) for the charger: it drives no session and writes no liveness', async () => {
    const transaction = await openTransaction();
    const receivedAt = Date.now() - 1_000;
    const timestamp = new Date(receivedAt - 60_000).toISOString();
    const event = meterValuesEvent({
      connectorId: 0,
      receivedAt,
      meterValue: [
        {
          timestamp,
          sampledValue: [
            sampledValue({ value: '987654', location: 'Inlet' }),
            sampledValue({ value: '987654' }),
            sampledValue({ value: '49.98', measurand: 'Frequency' }),
          ],
        },
      ],
    });

    await expect(ingest(event)).resolves.toEqual({ readings: [{ stored: 'stored', applied: false }] });
    const [reading] = await listConnectorReadings(testTable, CHARGER_ID, 0);
    expect(reading).toMatchObject({ connectorId: 0, at: timestamp, registerWh: 987_654 });
    expect(reading?.sessionId).toBeUndefined();
    expect(reading?.sampledValues).toHaveLength(3);
    expect((await sessionOf(transaction)).energyWh).toBe(0);
    expect((await getCharger(testTable, CHARGER_ID))?.lastSeenAt).toBeUndefined();
    await expect(ingest({ ...event, chargerId: 'CP-NOBODY', clientId: 'CP-NOBODY' })).resolves.toMatchObject({
      rejected: true,
      field: 'chargerId',
    });
    await expect(ingest(event)).resolves.toEqual({ readings: [{ stored: 'duplicate', applied: false }] });
    expect(await listConnectorReadings(testTable, CHARGER_ID, 0)).toHaveLength(1);
  });

  it('keeps a timestamp without a register, moving nothing', async () => {
    const transaction = await openTransaction();
    const event = meterValuesEvent({
      connectorId: transaction.connectorId,
      transactionId: transaction.transactionId,
      meterValue: [
        {
          timestamp: at(5),
          sampledValue: [
            sampledValue({ value: '61', measurand: 'SoC', unit: 'Percent', location: 'EV' }),
            // Power without a unit: OCPP gives power no default unit, so it is kept, not read.
            {
              value: '7000',
              context: 'Sample.Periodic',
              format: 'Raw',
              measurand: 'Power.Active.Import',
              location: 'Outlet',
            },
          ],
        },
      ],
    });
    await expect(ingest(event)).resolves.toMatchObject({
      readings: [{ stored: 'stored', applied: false, anomaly: 'no-register' }],
    });
    const session = await sessionOf(transaction);
    expect(session).toMatchObject({ energyWh: 0, energyStartWh: METER_START });
    expect(session.lastReadingAt).toBeUndefined();
    expect(session.powerW).toBeUndefined();
    const [reading] = await listSessionReadings(testTable, transaction.session.sessionId);
    expect(reading).toMatchObject({
      anomaly: 'no-register',
      sampledValues: event.meterValue[0]?.sampledValue,
    });
    expect(reading?.registerWh).toBeUndefined();
    expect(reading?.powerW).toBeUndefined();
  });

  it('keeps a refused transaction’s readings, linked to no session and off the connector’s register', async () => {
    const transaction = await openTransaction({ refused: true });
    await expect(ingest(message(transaction, [{ minute: 1, registerWh: 10_100 }]))).resolves.toMatchObject({
      readings: [{ stored: 'stored', applied: false, anomaly: 'transaction-refused' }],
    });
    const [reading] = await listConnectorReadings(testTable, CHARGER_ID, transaction.connectorId);
    expect(reading).toMatchObject({ registerWh: 10_100, transactionId: transaction.transactionId });
    expect(reading?.sessionId).toBeUndefined();
    expect(
      (await getConnector(testTable, CHARGER_ID, transaction.connectorId))?.lastRegisterWh,
    ).toBeUndefined();
  });

  it('never lets a reading move an OCPP transaction’s start (its meterStart)', async () => {
    const transaction = await openTransaction();
    await ingest(message(transaction, [{ minute: 10, registerWh: 11_000 }]));
    // At the start, with a lower register: a v1 session would lower its start to it.
    await expect(ingest(message(transaction, [{ minute: 0, registerWh: 9_000 }]))).resolves.toMatchObject({
      readings: [{ applied: false, anomaly: 'out-of-order' }],
    });
    expect(await sessionOf(transaction)).toMatchObject({ energyStartWh: METER_START, energyWh: 1000 });
  });

  it('answers a meter request with the newest reading of a Trigger message', async () => {
    const transaction = await openTransaction();
    const requestId = randomUUID();
    await testTable.client.send(
      new PutCommand({
        TableName: testTable.tableName,
        Item: itemOf(entities.meterRequest, {
          requestId,
          sessionId: transaction.session.sessionId,
          chargerId: CHARGER_ID,
          connectorId: transaction.connectorId,
          userId: 'alice',
          status: 'pending',
          requestedAt: at(20),
        }),
      }),
    );
    const event = message(
      transaction,
      [
        { minute: 20, registerWh: 11_000, powerW: 7000, context: 'Trigger' },
        { minute: 21, registerWh: 11_100, powerW: 7100, context: 'Trigger' },
      ],
      { requestId },
    );
    await expect(ingest(event)).resolves.toMatchObject({
      readings: [{ applied: true }, { applied: true, answeredRequestId: requestId }],
    });
    expect(await getMeterRequest(testTable, transaction.session.sessionId, requestId)).toMatchObject({
      status: 'answered',
      energyWh: 1100,
      powerW: 7100,
      lastReadingAt: at(21),
    });
  });
});

describe('v2 MeterValues: bad input', () => {
  it('refuses a transactionId that is unknown or another connector’s, storing nothing', async () => {
    const transaction = await openTransaction();
    const other = await openTransaction();
    counter.reset();
    await expect(
      ingest(message(transaction, [{ minute: 1, registerWh: 10_100 }], { transactionId: 999_999 })),
    ).resolves.toMatchObject({ rejected: true, field: 'transactionId' });
    await expect(
      ingest(
        message(transaction, [{ minute: 1, registerWh: 10_100 }], { transactionId: other.transactionId }),
      ),
    ).resolves.toMatchObject({ rejected: true, field: 'transactionId' });
    expect(counter.writes()).toEqual([]);
    expect(await listConnectorReadings(testTable, CHARGER_ID, transaction.connectorId)).toEqual([]);
  });

  it('refuses a sessionId that is not the transaction’s', async () => {
    const transaction = await openTransaction();
    const other = await openTransaction();
    await expect(
      ingest(
        message(transaction, [{ minute: 1, registerWh: 10_100 }], { sessionId: other.session.sessionId }),
      ),
    ).resolves.toMatchObject({ rejected: true, field: 'sessionId' });
  });

  it('refuses a timestamp over 5 minutes ahead of the receive time, naming it', async () => {
    const transaction = await openTransaction();
    const event = message(transaction, [
      { minute: 1, registerWh: 10_100 },
      { minute: 30, registerWh: 10_200 },
    ]);
    await expect(ingest({ ...event, receivedAt: Date.parse(at(20)) })).resolves.toMatchObject({
      rejected: true,
      field: 'meterValue.1.timestamp',
    });
    expect(await listConnectorReadings(testTable, CHARGER_ID, transaction.connectorId)).toEqual([]);
  });

  it('refuses a malformed payload at the edge, naming the field', async () => {
    const transaction = await openTransaction();
    const event = message(transaction, [{ minute: 1, registerWh: 10_100 }]);
    const raw = JSON.parse(JSON.stringify(event)) as { meterValue: { sampledValue: { value: unknown }[] }[] };
    raw.meterValue[0]!.sampledValue[0]!.value = 10_100; // OCPP sends a decimal string
    await expect(ingest(raw as never)).resolves.toMatchObject({
      rejected: true,
      field: 'meterValue.0.sampledValue.0.value',
    });
  });
});

describe('a StopTransaction’s transactionData replayed after the stop', () => {
  // The transaction: Begin 10 000 Wh at 06:00, periodic 11 000 Wh at 06:15, End 12 500 Wh at 06:30 (the stop).
  const data: Sample[] = [
    { minute: 0, registerWh: 10_000, powerW: 6900, context: 'Transaction.Begin' },
    { minute: 15, registerWh: 11_000, powerW: 7000 },
    { minute: 30, registerWh: 12_500, powerW: 0, context: 'Transaction.End' },
  ];
  const stopOf = (transaction: OpenTransaction) => ({
    transactionId: transaction.transactionId,
    meterStart: METER_START,
    meterStop: 12_500,
    at: at(30),
  });
  const finalState = async (transaction: OpenTransaction) => {
    const {
      sessionId: _id,
      connectorId: _connector,
      transactionId: _tx,
      ...session
    } = await sessionOf(transaction);
    const connector = await getConnector(testTable, CHARGER_ID, transaction.connectorId);
    return { session, connectorRegisterWh: connector?.lastRegisterWh ?? null };
  };

  async function inOrder(): Promise<Awaited<ReturnType<typeof finalState>>> {
    const transaction = await openTransaction();
    await ingest(message(transaction, data));
    await seedTransactionStop(testTable, transaction.session, stopOf(transaction));
    return finalState(transaction);
  }

  it.each([
    ['as one message', [[0, 1, 2]]],
    ['one message per timestamp, newest first', [[2], [1], [0]]],
    ['shuffled, each delivered twice', [[1], [2], [1], [0], [2], [0]]],
    ['End alone, then all of it again', [[2], [0, 1, 2]]],
  ] as const)('ends as in-order delivery: %s', async (_name, deliveries) => {
    const expected = await inOrder();
    expect(expected.session).toMatchObject({
      status: 'Completed',
      energyWh: 2500,
      latestRegisterWh: 12_500,
      lastReadingAt: at(30),
      powerW: 0,
    });

    const transaction = await openTransaction();
    await seedTransactionStop(testTable, transaction.session, stopOf(transaction));
    const messages = new Map<string, MeterValuesEvent>();
    for (const indexes of deliveries) {
      const key = indexes.join(',');
      // A repeated delivery is the same message (same messageId).
      const event =
        messages.get(key) ??
        message(
          transaction,
          indexes.map((index) => data[index]!),
        );
      messages.set(key, event);
      await ingest(event);
    }
    expect(await finalState(transaction)).toEqual(expected);
  });

  it('never reopens or changes a completed session, whatever a late reading says', async () => {
    const transaction = await openTransaction();
    await ingest(message(transaction, [data[0]!]));
    await seedTransactionStop(testTable, transaction.session, stopOf(transaction));
    const before = await sessionOf(transaction);

    await expect(
      ingest(message(transaction, [{ minute: 29, registerWh: 13_000, powerW: 7000 }])),
    ).resolves.toMatchObject({ readings: [{ applied: false, anomaly: 'register-regression' }] });
    await expect(ingest(message(transaction, [{ minute: 29, registerWh: 0 }]))).resolves.toMatchObject({
      readings: [{ applied: false, anomaly: 'zero-register-placeholder' }],
    });
    expect(await sessionOf(transaction)).toEqual(before);
    expect(before).toMatchObject({ status: 'Completed', energyWh: 2500, costMinor: 875 });
  });

  it.each([
    ['its End reading', { minute: 30, registerWh: 12_500, powerW: 0 }, { lastReadingAt: at(30), powerW: 0 }],
    [
      'a register above meterStop',
      { minute: 20, registerWh: 13_000, powerW: 7000 },
      { lastReadingAt: at(0) },
    ],
  ] as const)(
    're-plans %s when the stop lands between its plan and its write',
    async (_name, late, expected) => {
      const transaction = await openTransaction();
      await ingest(message(transaction, [data[0]!]));
      // The handler's next session write finds the stop committed just before it (a real concurrent write).
      let armed = true;
      const name = `stop-race-${transaction.transactionId}`;
      handlerClient.middlewareStack.add(
        (next, context) => async (args) => {
          if (armed && context.commandName === 'UpdateItemCommand') {
            armed = false;
            await seedTransactionStop(testTable, transaction.session, stopOf(transaction));
          }
          return next(args);
        },
        { step: 'initialize', name },
      );
      try {
        await ingest(message(transaction, [late]));
      } finally {
        handlerClient.middlewareStack.remove(name);
      }
      expect(armed).toBe(false);
      expect(await sessionOf(transaction)).toMatchObject({
        status: 'Completed',
        energyStartWh: METER_START,
        latestRegisterWh: 12_500,
        energyWh: 2500,
        costMinor: 875,
        ...expected,
      });
    },
  );

  it('leaves the connector and the next session on it alone, as in order', async () => {
    // In order the readings were the transaction's and never reached the connector, so the next (v1) session
    // found no register there and takes its start from its own first reading.
    const transaction = await openTransaction();
    await seedTransactionStop(testTable, transaction.session, stopOf(transaction));
    const next = await seedSession(
      testTable,
      sessionFactory({ connectorId: transaction.connectorId, startedAt: at(40) }),
    );

    await ingest(message(transaction, data));

    expect(await getSession(testTable, next.sessionId)).toEqual(next);
    const connector = await getConnector(testTable, CHARGER_ID, transaction.connectorId);
    expect(connector).toMatchObject({ activeSessionId: next.sessionId });
    expect(connector?.lastRegisterWh).toBeUndefined();
  });
});
