import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MeterEvent, Session } from '@evcharge/domain';
import { getCharger, getConnector, getSession } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { meterReadingOf } from '../../src/rules.js';
import {
  listConnectorReadings,
  listSessionReadings,
  storeMeterReading,
  updateSessionMeter,
} from '../../src/store.js';
import { type CommandCounter, countCommands } from '../helpers/command-counter.js';
import { CHARGER_ID, lambdaContext, meterEvent, session as sessionFactory } from '../helpers/factories.js';
import { releaseConnector, seedCharger, seedSession, setConnectorRegister } from '../helpers/seed.js';

let testTable: TestTable;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let counter: CommandCounter;
let tableClient: DynamoDBDocumentClient;
let connectorId = 0;

beforeAll(async () => {
  testTable = await createTestTable('metering-ingest');
  process.env.TABLE_NAME = testTable.tableName;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  ({ handler } = await import('../../src/handlers/ingest-reading.js'));
  const { table } = await import('../../src/config.js');
  counter = countCommands(table.client);
  tableClient = table.client;
  await seedCharger(testTable, CHARGER_ID, 20);
});

afterAll(async () => {
  await testTable.drop();
});

// Every test gets its own connector (and session), so tests stay independent in one table.
let current: Session;
beforeEach(async () => {
  connectorId += 1;
  current = await seedSession(testTable, sessionFactory({ connectorId }));
  counter.reset();
});

const at = (minute: number) => `2026-11-25T06:${String(minute).padStart(2, '0')}:00.000Z`;
const reading = (minute: number, registerWh: number, overrides: Partial<MeterEvent> = {}) =>
  meterEvent({ connectorId, at: at(minute), energy: { value: registerWh, unit: 'Wh' }, ...overrides });
const ingest = (event: MeterEvent) => handler(event, lambdaContext('ingestReading'));
const sessionNow = async () => (await getSession(testTable, current.sessionId))!;

describe('ingest: exactly once, linked, totals', () => {
  it('links a reading without sessionId to the active session and moves its totals', async () => {
    await ingest(reading(0, 10_000, { powerW: 7000 }));
    await ingest(reading(15, 12_500, { powerW: 7100, energy: { value: 12.5, unit: 'kWh' } }));
    expect(await sessionNow()).toMatchObject({
      energyStartWh: 10_000,
      latestRegisterWh: 12_500,
      energyWh: 2500,
      costMinor: 875,
      powerW: 7100,
      lastReadingAt: at(15),
    });
    const readings = await listSessionReadings(testTable, current.sessionId);
    expect(readings.map((r) => r.registerWh)).toEqual([10_000, 12_500]);
    expect(readings.every((r) => r.sessionId === current.sessionId)).toBe(true);
  });

  it('keeps a duplicate delivery exactly once and changes nothing', async () => {
    const first = reading(0, 10_000);
    await ingest(first);
    await ingest(reading(15, 11_000));
    const before = await sessionNow();
    counter.reset();
    await expect(ingest(first)).resolves.toMatchObject({ stored: 'duplicate', applied: false });
    expect(counter.writes()).toEqual(['PutItemCommand']);
    expect(await sessionNow()).toEqual(before);
    expect(await listConnectorReadings(testTable, CHARGER_ID, connectorId)).toHaveLength(2);
  });

  it('applies a redelivery whose first delivery stopped between its two writes', async () => {
    const event = reading(0, 10_000);
    await storeMeterReading(testTable, meterReadingOf(event, current.sessionId));
    await expect(ingest(event)).resolves.toMatchObject({ stored: 'duplicate', applied: true });
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 10_000, lastReadingAt: at(0) });
  });

  it('stores an out-of-order reading but never moves the latest values backwards', async () => {
    await ingest(reading(0, 10_000));
    await ingest(reading(30, 13_000, { powerW: 7000 }));
    await expect(ingest(reading(15, 11_500, { powerW: 1 }))).resolves.toMatchObject({
      stored: 'stored',
      applied: false,
      anomaly: 'out-of-order',
    });
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 13_000, energyWh: 3000, powerW: 7000 });
    const stored = await listSessionReadings(testTable, current.sessionId);
    expect(stored.find((r) => r.registerWh === 11_500)?.anomaly).toBe('out-of-order');
  });

  it('lowers the start when an earlier reading arrives late (the start was set by a reading)', async () => {
    await ingest(reading(15, 11_000));
    await ingest(reading(0, 10_000, { context: 'Transaction.Begin' }));
    expect(await sessionNow()).toMatchObject({ energyStartWh: 10_000, energyWh: 1000, costMinor: 350 });
  });

  it('flags a register regression, stores it, and does not apply it', async () => {
    await ingest(reading(0, 10_000));
    await ingest(reading(15, 12_000));
    await expect(ingest(reading(30, 11_000))).resolves.toMatchObject({ anomaly: 'register-regression' });
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 12_000, energyWh: 2000 });
    const stored = await listSessionReadings(testTable, current.sessionId);
    expect(stored.find((r) => r.registerWh === 11_000)?.anomaly).toBe('register-regression');
  });

  it('never bills the lifetime register after a zero placeholder', async () => {
    await ingest(reading(0, 0));
    await ingest(reading(30, 8_765_432));
    await ingest(reading(45, 8_766_432));
    expect(await sessionNow()).toMatchObject({ energyStartWh: 8_765_432, energyWh: 1000, costMinor: 350 });
  });

  it('keeps a start that authorization knew', async () => {
    current = await seedSession(testTable, sessionFactory({ connectorId, energyStartWh: 9000 }));
    await ingest(reading(0, 10_000));
    expect(await sessionNow()).toMatchObject({ energyStartWh: 9000, energyWh: 1000 });
  });

  it('keeps an unlinked reading on the connector history and updates its last register', async () => {
    await releaseConnector(testTable, CHARGER_ID, connectorId);
    await expect(ingest(reading(0, 10_000))).resolves.toMatchObject({ stored: 'stored', applied: true });
    await ingest(reading(15, 10_500));
    await ingest(reading(5, 10_100)); // out of order: stored, connector unchanged
    expect(await getConnector(testTable, CHARGER_ID, connectorId)).toMatchObject({
      lastRegisterWh: 10_500,
      lastReadingAt: at(15),
    });
    const stored = await listConnectorReadings(testTable, CHARGER_ID, connectorId);
    expect(stored.map((r) => r.registerWh)).toEqual([10_000, 10_100, 10_500]);
    expect(stored.every((r) => r.sessionId === undefined)).toBe(true);
    expect((await sessionNow()).energyWh).toBe(0);
  });

  it('accepts a reading naming its own session, and refuses one naming another connector’s', async () => {
    await ingest(reading(0, 10_000, { sessionId: current.sessionId }));
    expect((await sessionNow()).latestRegisterWh).toBe(10_000);
    counter.reset();
    await expect(
      ingest(reading(1, 10_010, { sessionId: current.sessionId, connectorId: connectorId + 1 })),
    ).resolves.toMatchObject({ rejected: true, field: 'sessionId' });
    expect(counter.writes()).toEqual([]);
  });

  it('refuses a reading for a charger or connector that is not registered, storing nothing', async () => {
    const stranger = meterEvent({ chargerId: 'CP-UNKNOWN', clientId: 'CP-UNKNOWN' });
    await expect(ingest(stranger)).resolves.toMatchObject({ rejected: true, field: 'connectorId' });
    expect(await listConnectorReadings(testTable, 'CP-UNKNOWN', 1)).toEqual([]);
  });

  it('costs two write units in a session: the reading (PutItem) and the session totals (UpdateItem)', async () => {
    await ingest(reading(0, 10_000));
    const lastSeenAt = (await getCharger(testTable, CHARGER_ID))?.lastSeenAt;
    counter.reset();
    await ingest(reading(15, 12_000, { powerW: 7000 }));
    expect(counter.writes()).toEqual(['PutItemCommand', 'UpdateItemCommand']);
    expect(counter.writeUnits()).toBe(2);
    // No liveness write rides along: liveness is the connection's and the heartbeat's.
    expect((await getCharger(testTable, CHARGER_ID))?.lastSeenAt).toBe(lastSeenAt);
  });
});

describe('a late reading of a session that has ended', () => {
  // Session A completed at 12 000 Wh (plug-events copied that onto the connector); then A's
  // Transaction.End reading of 12 500 Wh arrives. A bills it, and the next session must not bill it again.
  async function completedSession(): Promise<Session> {
    await releaseConnector(testTable, CHARGER_ID, connectorId);
    const ended = await seedSession(
      testTable,
      sessionFactory({
        connectorId,
        status: 'Completed',
        endedAt: at(31),
        energyStartWh: 10_000,
        latestRegisterWh: 12_000,
        lastReadingAt: at(30),
        energyWh: 2000,
        costMinor: 700,
      }),
    );
    await setConnectorRegister(testTable, CHARGER_ID, connectorId, {
      lastRegisterWh: 12_000,
      lastReadingAt: at(30),
    });
    return ended;
  }
  const lateEnd = (ended: Session) =>
    reading(31, 12_500, { sessionId: ended.sessionId, context: 'Transaction.End' });

  it('moves the ended session and carries the register to the free connector, in one write', async () => {
    const ended = await completedSession();
    counter.reset();
    await ingest(lateEnd(ended));
    expect(counter.writes()).toEqual(['PutItemCommand', 'TransactWriteItemsCommand']);
    expect(await getSession(testTable, ended.sessionId)).toMatchObject({ energyWh: 2500, costMinor: 875 });
    expect(await getConnector(testTable, CHARGER_ID, connectorId)).toMatchObject({
      lastRegisterWh: 12_500,
      lastReadingAt: at(31),
    });
  });

  it('raises the start of the session that already took the connector, so nothing is billed twice', async () => {
    const ended = await completedSession();
    const following = await seedSession(
      testTable,
      sessionFactory({ connectorId, startedAt: at(33), energyStartWh: 12_000 }),
    );
    const late = lateEnd(ended);
    await ingest(late);
    await ingest(late); // and a duplicate delivery changes nothing more
    await ingest(reading(45, 13_000));
    expect((await getSession(testTable, ended.sessionId))?.energyWh).toBe(2500);
    expect(await getSession(testTable, following.sessionId)).toMatchObject({
      energyStartWh: 12_500,
      energyWh: 500,
      costMinor: 175,
    });
  });

  it('never lowers the next session’s start with an older reading of the ended one', async () => {
    const ended = await completedSession();
    const following = await seedSession(
      testTable,
      sessionFactory({ connectorId, startedAt: at(33), energyStartWh: 12_000 }),
    );
    await ingest(reading(20, 11_000, { sessionId: ended.sessionId }));
    expect((await getSession(testTable, following.sessionId))?.energyStartWh).toBe(12_000);
    expect((await getSession(testTable, ended.sessionId))?.energyWh).toBe(2000);
  });
});

describe('a race between read and write', () => {
  // Another reading commits between this reading's read and its write 2 (a real write on another client).
  function beforeNextSessionWrite(concurrent: () => Promise<unknown>, times = 1) {
    let armed = times;
    const name = `race-${connectorId}`;
    tableClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed > 0 && context.commandName === 'UpdateItemCommand') {
          armed -= 1;
          await concurrent();
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    return () => tableClient.middlewareStack.remove(name);
  }
  const concurrentReading = (registerWh: number, readingAt: string) => () =>
    updateSessionMeter(testTable, {
      sessionId: current.sessionId,
      expected: {
        energyStartWh: 10_000,
        energyStartAt: at(0),
        latestRegisterWh: 10_000,
        lastReadingAt: at(0),
      },
      next: {
        energyStartWh: 10_000,
        energyStartAt: at(0),
        latestRegisterWh: registerWh,
        lastReadingAt: readingAt,
      },
      totals: { energyWh: registerWh - 10_000, costMinor: 0 },
    });

  it('an older reading that lost the race ends quietly, overwriting nothing', async () => {
    await ingest(reading(0, 10_000));
    const disarm = beforeNextSessionWrite(concurrentReading(12_000, at(30)));
    await expect(ingest(reading(15, 11_000))).resolves.toMatchObject({ stored: 'stored' });
    disarm();
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 12_000, lastReadingAt: at(30) });
  });

  it('a newer reading that lost the race is planned again and applied in the same invocation', async () => {
    await ingest(reading(0, 10_000));
    const disarm = beforeNextSessionWrite(concurrentReading(11_000, at(15)));
    counter.reset();
    await expect(ingest(reading(30, 12_000))).resolves.toMatchObject({ stored: 'stored', applied: true });
    disarm();
    // write 1, the lost write 2, the write 2 planned against fresh state
    expect(counter.writes()).toEqual(['PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 12_000, energyWh: 2000 });
  });

  it('a reading that keeps losing races fails as transient, and the retry applies it', async () => {
    await ingest(reading(0, 10_000));
    const newer = reading(45, 13_000);
    let register = 10_000;
    const disarm = beforeNextSessionWrite(async () => {
      const before = register;
      register += 500;
      await updateSessionMeter(testTable, {
        sessionId: current.sessionId,
        expected: {
          energyStartWh: 10_000,
          energyStartAt: at(0),
          latestRegisterWh: before,
          lastReadingAt: at(before === 10_000 ? 0 : (before - 10_000) / 100),
        },
        next: {
          energyStartWh: 10_000,
          energyStartAt: at(0),
          latestRegisterWh: register,
          lastReadingAt: at((register - 10_000) / 100),
        },
        totals: { energyWh: register - 10_000, costMinor: 0 },
      });
    }, 3);
    await expect(ingest(newer)).rejects.toMatchObject({ name: 'TransientError' });
    disarm();
    expect((await sessionNow()).latestRegisterWh).toBe(11_500);
    await expect(ingest(newer)).resolves.toMatchObject({ stored: 'duplicate', applied: true });
    expect(await sessionNow()).toMatchObject({ latestRegisterWh: 13_000, energyWh: 3000 });
  });
});

describe('write budget', () => {
  it('uses at most 2 writes per reading, whatever the reading', async () => {
    const deliveries = [
      reading(0, 10_000),
      reading(15, 11_000),
      reading(15, 11_000),
      reading(5, 10_200),
      reading(30, 10_500),
      reading(45, 0),
    ];
    deliveries.splice(3, 0, deliveries[1]!); // a duplicate delivery
    for (const delivery of deliveries) {
      counter.reset();
      await ingest(delivery);
      expect(counter.writes().length).toBeLessThanOrEqual(2);
      expect(counter.writes()[0]).toBe('PutItemCommand');
    }
    await releaseConnector(testTable, CHARGER_ID, connectorId);
    counter.reset();
    await ingest(reading(50, 12_000));
    expect(counter.writes()).toEqual(['PutItemCommand', 'UpdateItemCommand']);
  });
});

describe('order independence through the handler', () => {
  it('duplicated and shuffled readings give the same totals as in-order ones', async () => {
    const readings = [0, 5, 10, 15, 20, 25, 30, 35].map((minute, index) =>
      reading(minute, 20_000 + index * 650 + (index % 3) * 7, { powerW: 7000 + index }),
    );
    for (const event of readings) await ingest(event);
    const inOrder = await sessionNow();

    connectorId += 1;
    current = await seedSession(testTable, sessionFactory({ connectorId }));
    const moved = readings.map((event) => ({ ...event, connectorId }));
    const shuffled = [
      moved[5],
      moved[2],
      moved[7],
      moved[0],
      moved[5],
      moved[3],
      moved[7],
      moved[1],
      moved[6],
      moved[4],
      moved[0],
    ];
    for (const event of shuffled) await ingest(event!);
    const outOfOrder = await sessionNow();

    const totals = ({
      energyStartWh,
      latestRegisterWh,
      energyWh,
      costMinor,
      powerW,
      lastReadingAt,
    }: Session) => ({
      energyStartWh,
      latestRegisterWh,
      energyWh,
      costMinor,
      powerW,
      lastReadingAt,
    });
    expect(totals(outOfOrder)).toEqual(totals(inOrder));
    expect(inOrder.energyWh).toBe(7 * 650 + 7);
    expect(await listSessionReadings(testTable, current.sessionId)).toHaveLength(readings.length);
  });
});
