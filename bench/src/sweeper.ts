import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { OfflineSweep } from '@evcharge/dynamo';
import { deadlinePartitionFor, keys } from '@evcharge/dynamo';
import type { BenchContext } from './context.js';
import { lambdaContext, sampleEvent } from './events.js';
import type { InProcessHandlers } from './handlers.js';
import { ratio, round } from './stats.js';

// Group 2b: the offline sweeper's read cost against fleet size. Fleets are seeded directly (BatchWrite):
// every charger online with a future deadline, always the same 10 stale. The baseline is a Scan of the
// same table for due chargers, the design the sparse deadlines index replaces.

export const STALE_CHARGERS = 10;

export interface SweeperRow {
  fleet: number;
  due: number;
  markedOffline: number;
  sweeperRcu: number;
  /** Read units of a full Scan with a filter for due chargers (the naive design). */
  scanRcu: number;
  /** sweeperRcu / the smallest fleet's sweeperRcu: flat means 1. */
  ratioToSmallestFleet: number;
  ratioToScan: number;
}

const chargerId = (index: number) => `CP-FLEET-${String(index).padStart(6, '0')}`;

function chargerItem(index: number, dueAt: number, now: number) {
  const id = chargerId(index);
  return {
    ...keys.charger(id),
    entityType: 'Charger',
    chargerId: id,
    connectorCount: 1,
    registeredAt: new Date(now - 86_400_000).toISOString(),
    status: 'online',
    connected: true,
    heartbeatIntervalS: 300,
    livenessWindowMs: 660_000,
    lastSeenAt: new Date(dueAt - 660_000).toISOString(),
    statusChangedAt: new Date(now - 3_600_000).toISOString(),
    onlineSince: new Date(now - 3_600_000).toISOString(),
    duePk: deadlinePartitionFor('charger-offline', id),
    dueAt,
  };
}

async function seed(context: BenchContext, from: number, to: number, now: number): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let start = from; start < to; start += 25) {
    const batch = [];
    for (let index = start; index < Math.min(to, start + 25); index++) {
      // The first STALE_CHARGERS are re-armed as due before each sweep; the rest are fresh for hours.
      batch.push(chargerItem(index, now + 3_600_000, now));
    }
    batches.push(batch);
  }
  const writeBatch = async (items: Record<string, unknown>[]) => {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < 20; attempt++) {
      const { UnprocessedItems } = await context.table.client.send(
        new BatchWriteCommand({ RequestItems: { [context.table.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[context.table.tableName] ?? []) as typeof pending;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await writeBatch(batches[next++]!);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function scanRcu(context: BenchContext, now: number): Promise<number> {
  let units = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await context.table.client.send(
      new ScanCommand({
        TableName: context.table.tableName,
        FilterExpression: 'entityType = :charger AND #status = :online AND dueAt <= :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':charger': 'Charger', ':online': 'online', ':now': now },
        Select: 'COUNT',
        ReturnConsumedCapacity: 'TOTAL',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    units += result.ConsumedCapacity?.CapacityUnits ?? 0;
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  return units;
}

export async function measureSweeper(
  context: BenchContext,
  handlers: InProcessHandlers,
): Promise<SweeperRow[]> {
  const fleets = context.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const rows: SweeperRow[] = [];
  let seeded = 0;
  for (const fleet of fleets) {
    const now = Date.now();
    await seed(context, seeded, fleet, now);
    seeded = fleet;
    // The same 10 chargers are stale for every fleet size (due 2 min ago: past the 60 s sweep allowance).
    const stale = Array.from({ length: STALE_CHARGERS }, (_, index) =>
      chargerItem(index, now - 120_000, now),
    );
    await context.table.client.send(
      new BatchWriteCommand({
        RequestItems: { [context.table.tableName]: stale.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    handlers.counter.take();
    const sweep = (await handlers.sweeper(
      sampleEvent('heartbeat', 'sweeper.json'),
      lambdaContext('sweeper'),
    )) as OfflineSweep;
    const counted = handlers.counter.take();
    const scan = await scanRcu(context, now);
    rows.push({
      fleet,
      due: sweep.due,
      markedOffline: sweep.markedOffline,
      sweeperRcu: round(counted.rcu, 2),
      scanRcu: round(scan, 1),
      ratioToSmallestFleet: 0,
      ratioToScan: ratio(counted.rcu, scan),
    });
    context.progress(`sweeper: fleet ${fleet} → ${counted.rcu} RCU (scan ${scan})`);
  }
  for (const row of rows) row.ratioToSmallestFleet = ratio(row.sweeperRcu, rows[0]!.sweeperRcu);
  return rows;
}
