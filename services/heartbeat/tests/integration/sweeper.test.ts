// @lane isolated: the sweeps run against time budgets and a mass outage; nothing else may share the CPU.
import { BatchWriteCommand, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { HeartbeatEvent } from '@evcharge/domain';
import {
  deadlinePartitionFor,
  keys,
  mapConcurrently,
  type OfflineSweep,
  registerCharger,
  shardOf,
  type TableContext,
} from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sweepOfflineChargers } from '../../src/store.js';
import { heartbeatEvent, lambdaContext, recordCommands, scheduledEvent } from '../helpers/factories.js';

// The sweeper reads the whole table's deadlines index, so each scenario gets its own table; the handlers
// read TABLE_NAME once at import, so they are driven through a config pointed at the table under test.

type HeartbeatResult = { outcome: string; wentOnline?: boolean };
let config: { table: TableContext };
let heartbeat: (event: HeartbeatEvent) => Promise<HeartbeatResult>;
let sweep: (remainingMs?: number) => Promise<OfflineSweep>;
let commands: ReturnType<typeof recordCommands>;
const tables: TestTable[] = [];

beforeAll(async () => {
  const first = await createTestTable('sweeper');
  tables.push(first);
  // Every heartbeat reaches the store: these suites test its writes, not the container's coalescing.
  process.env.HEARTBEAT_COALESCE_S = '0';
  process.env.TABLE_NAME = first.tableName;
  config = await import('../../src/config.js');
  commands = recordCommands(config.table.client);
  const heartbeatModule = await import('../../src/handlers/heartbeat.js');
  const sweeperModule = await import('../../src/handlers/sweeper.js');
  heartbeat = (event) =>
    heartbeatModule.handler(event, lambdaContext('heartbeat')) as Promise<HeartbeatResult>;
  sweep = (remainingMs = 10_000) =>
    sweeperModule.handler(
      scheduledEvent(),
      lambdaContext('sweeper', { getRemainingTimeInMillis: () => remainingMs }),
    ) as Promise<OfflineSweep>;
});
afterAll(async () => {
  for (const table of tables) await table.drop();
});

async function useFreshTable(label: string): Promise<TestTable> {
  const table = await createTestTable(label);
  tables.push(table);
  config.table.tableName = table.tableName;
  return table;
}

/** Big tables slow DynamoDB Local down for everyone: drop them as soon as they are measured. */
async function dropTable(table: TestTable): Promise<void> {
  tables.splice(tables.indexOf(table), 1);
  await table.drop();
}

/** The silence window with the defaults: max(2 × 300 + 60 s, the 3,600 s backstop). */
const WINDOW_MS = 3_600_000;
/** Silent for the window plus the 60 s sweep allowance, and then some. */
const STALE_FOR_MS = WINDOW_MS + 200_000;

/** Chargers online through the real handlers; the first `stale` of them last heard from over a window ago. */
async function seedFleet(prefix: string, fleet: number, stale: number): Promise<string[]> {
  const ids = Array.from({ length: fleet }, (_, index) => `${prefix}-${index}`);
  await seedChargers(ids.slice(0, stale), Date.now() - STALE_FOR_MS);
  await seedChargers(ids.slice(stale), Date.now());
  return ids.slice(0, stale);
}

async function seedChargers(ids: string[], lastSeenMs: number): Promise<void> {
  await mapConcurrently(ids, 16, async (chargerId) => {
    await registerCharger(config.table, { chargerId, connectorCount: 1, now: new Date(lastSeenMs) });
  });
  const results = await mapConcurrently(ids, 16, (chargerId) =>
    heartbeat(heartbeatEvent(chargerId, lastSeenMs)),
  );
  expect(results.every((result) => result.outcome === 'recorded')).toBe(true);
}

/**
 * Healthy chargers by the thousand: DynamoDB Local takes ~3 ms per handler write here, so the bulk of a
 * large fleet is copied (BatchWrite) from one charger the real handlers put online, keys and shard redone.
 */
async function cloneHealthyFleet(template: string, prefix: string, count: number): Promise<void> {
  const source = await chargerItem(template);
  const items = Array.from({ length: count }, (_, index) => {
    const chargerId = `${prefix}-${index}`;
    return {
      ...source,
      ...keys.charger(chargerId),
      chargerId,
      duePk: deadlinePartitionFor('charger-offline', chargerId),
    };
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, index) =>
    items.slice(index * 25, index * 25 + 25),
  );
  await mapConcurrently(batches, 8, async (batch) => {
    let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await config.table.client.send(
        new BatchWriteCommand({ RequestItems: { [config.table.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[config.table.tableName] ?? []) as Record<string, unknown>[];
    }
  });
}

async function chargerItem(chargerId: string) {
  const { Item } = await config.table.client.send(
    new GetCommand({ TableName: config.table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item ?? {};
}

async function scanReadUnits(): Promise<number> {
  let units = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await config.table.client.send(
      new ScanCommand({
        TableName: config.table.tableName,
        ReturnConsumedCapacity: 'TOTAL',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    units += page.ConsumedCapacity?.CapacityUnits ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return units;
}

describe('sweeper read cost grows with stale chargers, not with the fleet', () => {
  const measured: { fleet: number; sweep: OfflineSweep; queries: number; updates: number; scan: number }[] =
    [];

  it.each([
    [1_000, 10],
    [10_000, 10],
  ])(
    'a fleet of %p with %p stale: reads only the stale ones and marks each offline',
    async (fleet, stale) => {
      const table = await useFreshTable(`sweep-${fleet}`);
      // 10 stale and 1 healthy through the real handlers, the rest of the healthy fleet copied from it.
      const staleIds = await seedFleet(`F${fleet}`, stale + 1, stale);
      await cloneHealthyFleet(`F${fleet}-${stale}`, `H${fleet}`, fleet - stale - 1);

      commands.clear();
      const result = await sweep();
      const queries = commands.names().filter((name) => name === 'QueryCommand').length;
      const updates = commands.names().filter((name) => name === 'UpdateItemCommand').length;
      const gets = commands.names().filter((name) => name === 'GetItemCommand').length;

      expect(result).toMatchObject({ due: stale, markedOffline: stale, rearmed: 0, rounds: 1 });
      expect(
        commands
          .names()
          .filter((name) => !['QueryCommand', 'GetItemCommand', 'UpdateItemCommand'].includes(name)),
      ).toEqual([]);
      expect(updates).toBe(stale);
      expect(gets).toBe(stale);
      for (const chargerId of staleIds) expect((await chargerItem(chargerId)).status).toBe('offline');
      expect((await chargerItem(`F${fleet}-${stale}`)).status).toBe('online');

      // A scan of the same table, for scale: what a naive sweeper would pay.
      const scan = await scanReadUnits();
      // At most one minimal (0.5 unit) read per deadline shard plus one read of each due charger, far below a scan.
      expect(result.consumedReadUnits).toBeLessThanOrEqual(16 * 0.5 + stale);
      expect(result.consumedReadUnits).toBeLessThan(scan / 2);
      measured.push({ fleet, sweep: result, queries, updates, scan });

      // Offline chargers left the sparse index: the next sweep finds nothing.
      expect(await sweep()).toMatchObject({ due: 0, markedOffline: 0 });
      await dropTable(table);
    },
    120_000,
  );

  it('costs the same read units for 10× the fleet', () => {
    const [small, large] = measured;
    process.stdout.write(`sweeper cost: ${JSON.stringify(measured)}\n`);
    expect(small && large).toBeTruthy();
    expect(large?.sweep.consumedReadUnits).toBe(small?.sweep.consumedReadUnits);
    expect(large?.queries).toBe(small?.queries);
    expect(large?.scan).toBeGreaterThan(5 * (small?.scan ?? 0));
  });
});

describe('a mass outage', () => {
  it('drains a shard holding more due chargers than one page in a single run', async () => {
    const table = await useFreshTable('sweep-outage');
    // 250 chargers that all hash to deadline shard 0: the sweeper reads 100 per shard and round.
    const sameShard: string[] = [];
    for (let index = 0; sameShard.length < 250; index++) {
      if (shardOf(`OUT-${index}`) === 0) sameShard.push(`OUT-${index}`);
    }
    await seedChargers(sameShard, Date.now() - STALE_FOR_MS);

    // A run with a minute to spare (a loaded DynamoDB Local needs more than the default 6 s budget).
    const result = await sweep(60_000);

    expect(result).toMatchObject({ due: 250, markedOffline: 250, rounds: 3 });
    expect(await sweep()).toMatchObject({ due: 0, rounds: 1 });
    await dropTable(table);
  }, 120_000);
});

describe('races', () => {
  it('two overlapping sweepers make exactly one transition per due charger', async () => {
    await useFreshTable('sweep-race');
    const staleIds = await seedFleet('R2', 40, 20);

    const [first, second] = await Promise.all([sweep(), sweep()]);

    // Every committed transition is one successful conditional write: 20 in total, one per charger.
    expect(first.markedOffline + second.markedOffline).toBe(20);
    for (const chargerId of staleIds) {
      const item = await chargerItem(chargerId);
      expect(item.status).toBe('offline');
      expect(item.duePk).toBeUndefined();
    }
    expect(await sweep()).toMatchObject({ due: 0, markedOffline: 0 });
  });

  it('a sweeper racing heartbeats never leaves a live charger offline and never flaps twice', async () => {
    await useFreshTable('sweep-heartbeat-race');
    const staleIds = await seedFleet('RH', 30, 30);
    const now = Date.now();

    const [swept, ...beats] = await Promise.all([
      sweep(),
      ...staleIds.map((chargerId) => heartbeat(heartbeatEvent(chargerId, now))),
    ]);

    // Each charger either kept its heartbeat first (sweeper no-op) or went offline then online: one
    // committed offline transition per charger flipped back, never a second one.
    expect(beats.every((beat) => beat.outcome === 'recorded')).toBe(true);
    const flippedBack = beats.filter((beat) => beat.wentOnline).length;
    expect(swept.markedOffline).toBe(flippedBack);
    // A heartbeat that landed between the sweeper's read and write left the old deadline: the next sweep
    // re-arms those, and every charger ends online, due one window after its heartbeat.
    expect(await sweep()).toMatchObject({ markedOffline: 0 });
    for (const chargerId of staleIds) {
      expect(await chargerItem(chargerId)).toMatchObject({ status: 'online', dueAt: now + WINDOW_MS });
    }
    expect(await sweep()).toMatchObject({ due: 0, markedOffline: 0 });
  });

  it('waits the 60 s allowance past a deadline before taking a charger offline', async () => {
    await useFreshTable('sweep-allowance');
    const now = Date.now();
    await seedChargers(['AL-within'], now - WINDOW_MS - 50_000);
    await seedChargers(['AL-past'], now - WINDOW_MS - 75_000);

    expect(await sweep()).toMatchObject({ due: 1, markedOffline: 1 });
    expect((await chargerItem('AL-within')).status).toBe('online');
    expect((await chargerItem('AL-past')).status).toBe('offline');
  });

  // Issue #5: a heartbeat received before its charger's deadline but processed after it (a slow async
  // invoke or its first retry) used to lose to the sweeper: offline, then online again — two notifications.
  it('a heartbeat received before the deadline and processed after it is never beaten by the sweeper', async () => {
    await useFreshTable('sweep-in-flight');
    const now = Date.now();
    const lastSeenMs = now - WINDOW_MS - 30_000;
    const deadlineMs = lastSeenMs + WINDOW_MS;
    await seedChargers(['IF-1'], lastSeenMs);
    const before = await chargerItem('IF-1');

    // The sweep runs while the heartbeat (received 1 s before the deadline) is still in flight.
    expect(await sweep()).toMatchObject({ due: 0, markedOffline: 0 });
    expect(await heartbeat(heartbeatEvent('IF-1', deadlineMs - 1_000))).toEqual({
      outcome: 'recorded',
      wentOnline: false,
    });
    expect(await sweep()).toMatchObject({ due: 0, markedOffline: 0 });

    // No transition at all: the stream (and so notifications) sees no status change. The heartbeat left the
    // deadline where it was (no index write); once past the allowance, the sweeper re-arms it instead.
    expect(await chargerItem('IF-1')).toMatchObject({
      status: 'online',
      statusChangedAt: before.statusChangedAt,
      dueAt: deadlineMs,
    });
    const later = await sweepOfflineChargers(config.table, now + 61_000);
    expect(later).toMatchObject({ due: 1, markedOffline: 0, rearmed: 1 });
    expect(await chargerItem('IF-1')).toMatchObject({
      status: 'online',
      statusChangedAt: before.statusChangedAt,
      dueAt: deadlineMs - 1_000 + WINDOW_MS,
    });
  });

  it('a heartbeat that lands first gets the charger re-armed, not swept; one that lands after flips back once', async () => {
    await useFreshTable('sweep-heartbeat-order');
    const [first, second] = await seedFleet('RO', 2, 2);
    const now = Date.now();

    await heartbeat(heartbeatEvent(first as string, now));
    const afterHeartbeat = await sweep();
    expect(afterHeartbeat).toMatchObject({ due: 2, markedOffline: 1, rearmed: 1 });
    expect((await chargerItem(first as string)).status).toBe('online');
    expect((await chargerItem(second as string)).status).toBe('offline');

    expect(await heartbeat(heartbeatEvent(second as string, Date.now()))).toEqual({
      outcome: 'recorded',
      wentOnline: true,
    });
    expect(await sweep()).toMatchObject({ due: 0 });
  });

  it('the backstop: a charger that stays connected but sends nothing goes offline one window after it last spoke', async () => {
    await useFreshTable('sweep-backstop');
    const now = Date.now();
    // Both connected (their connect armed the backstop) and heard from once, two windows ago.
    await seedChargers(['BS-silent', 'BS-talking'], now - 2 * WINDOW_MS);
    // The talking one keeps heartbeating: each refresh is one write and leaves the deadline alone.
    for (let at = now - 2 * WINDOW_MS + 300_000; at <= now; at += 300_000) {
      await heartbeat(heartbeatEvent('BS-talking', at));
    }
    expect((await chargerItem('BS-talking')).dueAt).toBe(now - WINDOW_MS);

    // The first sweep past the backstop: the talking one is re-armed from its latest heartbeat once, the
    // silent one (still connected, nothing received) goes offline.
    expect(await sweep()).toMatchObject({ due: 2, markedOffline: 1, rearmed: 1 });
    expect(await chargerItem('BS-silent')).toMatchObject({ status: 'offline', connected: true });
    const lastBeat = now - 2 * WINDOW_MS + 300_000 * Math.floor((2 * WINDOW_MS) / 300_000);
    expect(await chargerItem('BS-talking')).toMatchObject({ status: 'online', dueAt: lastBeat + WINDOW_MS });
    expect(await sweep()).toMatchObject({ due: 0 });
  });
});
