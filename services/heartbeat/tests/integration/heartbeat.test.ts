import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HeartbeatEvent } from '@evcharge/domain';
import { deadlinePartitionFor, keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { heartbeatEvent, lambdaContext, recordCommands } from '../helpers/factories.js';

let table: TestTable;
let invoke: (event: HeartbeatEvent | Record<string, unknown>) => Promise<unknown>;
let commands: ReturnType<typeof recordCommands>;

beforeAll(async () => {
  table = await createTestTable('heartbeat');
  // Every heartbeat reaches the store: these suites test its writes, not the container's coalescing.
  process.env.HEARTBEAT_COALESCE_S = '0';
  process.env.TABLE_NAME = table.tableName;
  const { handler } = await import('../../src/handlers/heartbeat.js');
  const config = await import('../../src/config.js');
  commands = recordCommands(config.table.client);
  invoke = (event) => handler(event, lambdaContext('heartbeat'));
});
afterAll(async () => table.drop());
beforeEach(() => commands.clear());

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
let serial = 0;
async function registered(): Promise<string> {
  const chargerId = `HB-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date(T0 - 86_400_000) });
  return chargerId;
}

async function chargerItem(chargerId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item;
}

describe('a heartbeat', () => {
  it('flips a registered charger online with a second UpdateItem (the refresh refused) and no read', async () => {
    const chargerId = await registered();
    const result = await invoke(heartbeatEvent(chargerId, T0, { firmware: '1.4.2' }));

    expect(result).toEqual({ outcome: 'recorded', wentOnline: true });
    expect(commands.names()).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    expect(commands.sent[1]?.capacityUnits).toBeGreaterThan(0);
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: new Date(T0).toISOString(),
      onlineSince: new Date(T0).toISOString(),
      lastSeenAt: new Date(T0).toISOString(),
      deviceAt: new Date(T0).toISOString(),
      firmware: '1.4.2',
      clockSkewFlagged: false,
      connected: true,
      duePk: deadlinePartitionFor('charger-offline', chargerId),
      // The backstop: the sweeper checks it then, and re-arms it while heartbeats keep coming.
      dueAt: T0 + 3_600_000,
    });
  });

  it('refreshes an online charger with one UpdateItem of one write unit, touching no index key', async () => {
    const chargerId = await registered();
    await invoke(heartbeatEvent(chargerId, T0));
    const armed = await chargerItem(chargerId);
    commands.clear();

    const result = await invoke(heartbeatEvent(chargerId, T0 + 300_000));

    expect(result).toEqual({ outcome: 'recorded', wentOnline: false });
    expect(commands.sent).toEqual([{ command: 'UpdateItemCommand', capacityUnits: 1 }]);
    expect(await chargerItem(chargerId)).toMatchObject({
      statusChangedAt: new Date(T0).toISOString(),
      lastSeenAt: new Date(T0 + 300_000).toISOString(),
      duePk: armed?.duePk,
      dueAt: armed?.dueAt,
    });
  });

  it('is throttled, still one UpdateItem and no read, when it would only move lastSeenAt by < 30 s', async () => {
    const chargerId = await registered();
    await invoke(heartbeatEvent(chargerId, T0));
    commands.clear();

    const throttled = await invoke(heartbeatEvent(chargerId, T0 + 29_000));
    expect(throttled).toEqual({ outcome: 'throttled' });
    expect(commands.names()).toEqual(['UpdateItemCommand']);
    expect((await chargerItem(chargerId))?.lastSeenAt).toBe(new Date(T0).toISOString());

    expect(await invoke(heartbeatEvent(chargerId, T0 + 31_000))).toEqual({
      outcome: 'recorded',
      wentOnline: false,
    });
    expect((await chargerItem(chargerId))?.lastSeenAt).toBe(new Date(T0 + 31_000).toISOString());
  });

  it.each([
    ['a new firmware', { firmware: '2.0.0' }, { firmware: '2.0.0' }],
    ['a new interval', { intervalS: 60 }, { heartbeatIntervalS: 60 }],
    ['a skewed device clock', { at: '2026-11-25T05:50:00.000Z' }, { clockSkewFlagged: true }],
  ])('is written within 30 s when it reports %s', async (_label, overrides, expected) => {
    const chargerId = await registered();
    await invoke(heartbeatEvent(chargerId, T0, { firmware: '1.0.0' }));

    const result = await invoke(heartbeatEvent(chargerId, T0 + 5_000, overrides));

    expect(result).toEqual({ outcome: 'recorded', wentOnline: false });
    expect(await chargerItem(chargerId)).toMatchObject({
      ...expected,
      lastSeenAt: new Date(T0 + 5_000).toISOString(),
    });
  });

  it('never moves the deadline, even with a new interval: the sweeper re-arms it once per window', async () => {
    const chargerId = await registered();
    await invoke(heartbeatEvent(chargerId, T0));
    await invoke(heartbeatEvent(chargerId, T0 + 60_000, { intervalS: 60 }));
    await invoke(heartbeatEvent(chargerId, T0 + 120_000));
    expect(await chargerItem(chargerId)).toMatchObject({
      heartbeatIntervalS: 60,
      lastSeenAt: new Date(T0 + 120_000).toISOString(),
      dueAt: T0 + 3_600_000,
    });
  });

  it('never moves lastSeenAt backwards (a late or duplicate heartbeat is a no-op)', async () => {
    const chargerId = await registered();
    await invoke(heartbeatEvent(chargerId, T0 + 60_000));

    expect(await invoke(heartbeatEvent(chargerId, T0, { firmware: 'older' }))).toEqual({ outcome: 'stale' });
    expect(await invoke(heartbeatEvent(chargerId, T0 + 60_000))).toEqual({ outcome: 'stale' });
    expect(await chargerItem(chargerId)).toMatchObject({ lastSeenAt: new Date(T0 + 60_000).toISOString() });
    expect((await chargerItem(chargerId))?.firmware).toBeUndefined();
  });

  it('applies exactly one of two concurrent duplicates', async () => {
    const chargerId = await registered();
    const results = await Promise.all([
      invoke(heartbeatEvent(chargerId, T0)),
      invoke(heartbeatEvent(chargerId, T0)),
    ]);
    expect(results).toEqual(
      expect.arrayContaining([{ outcome: 'recorded', wentOnline: true }, { outcome: 'stale' }]),
    );
  });

  it('refuses an unregistered charger as bad input, after one UpdateItem, creating nothing', async () => {
    const result = await invoke(heartbeatEvent('NOT-REGISTERED', T0));

    expect(result).toMatchObject({ rejected: true, errorClass: 'bad-input', field: 'chargerId' });
    expect(commands.names()).toEqual(['UpdateItemCommand']);
    expect(await chargerItem('NOT-REGISTERED')).toBeUndefined();
  });

  it('refuses a spoof (client id is not the topic charger) without touching the table', async () => {
    const chargerId = await registered();
    const result = await invoke(heartbeatEvent(chargerId, T0, { clientId: 'SOMEONE-ELSE' }));

    expect(result).toMatchObject({ rejected: true, errorClass: 'spoof' });
    expect(commands.names()).toEqual([]);
    expect((await chargerItem(chargerId))?.status).toBe('offline');
  });

  it('refuses a payload with unknown fields as bad input', async () => {
    const chargerId = await registered();
    const result = await invoke({ ...heartbeatEvent(chargerId, T0), battery: 12 });
    expect(result).toMatchObject({ rejected: true, field: 'battery' });
    expect(commands.names()).toEqual([]);
  });
});
