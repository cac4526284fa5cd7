import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEADLINE_SHARDS, GSI1, keys, mapConcurrently, type TableContext } from '@evcharge/dynamo';
import { allItems } from './pages.js';
import { type FleetView, fleetViewOf } from './rules.js';

// The fleet as the console shows it, read without a scan: the fleet list (one ChargerListing per charger in
// gsi1, written once at registration), then each charger's own partition (the charger, its boot record,
// statuses, connectors and alerts in one Query), and the orphan stops' list. Reads grow with the fleet, never
// with the table (readings), and nothing is written for the console: the hot paths keep their write costs.

const CHARGER_READ_CONCURRENCY = 32;
const ORPHAN_STOP_LIMIT = 200;

/** Every registered charger's id, from the fleet list's shards. */
async function listedChargerIds(table: TableContext): Promise<string[]> {
  const shards = Array.from({ length: DEADLINE_SHARDS }, (_, shard) => keys.chargerListingShard(shard));
  const pages = await Promise.all(
    shards.map((shard) =>
      allItems<{ chargerId: string }>(table, {
        query: true,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :shard',
        ExpressionAttributeValues: { ':shard': shard },
        ProjectionExpression: 'chargerId',
      }),
    ),
  );
  return pages.flat().map((item) => item.chargerId);
}

export async function readFleet(table: TableContext, now: Date): Promise<FleetView> {
  const chargerIds = await listedChargerIds(table);
  const partitions = await mapConcurrently(chargerIds, CHARGER_READ_CONCURRENCY, (chargerId) =>
    allItems<Record<string, unknown>>(table, {
      query: true,
      KeyConditionExpression: 'pk = :charger',
      ExpressionAttributeValues: { ':charger': keys.charger(chargerId).pk },
    }),
  );
  const items = partitions.flat();
  const orphanStops = await table.client
    .send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :orphans',
        ExpressionAttributeValues: { ':orphans': 'ORPHANSTOPS' },
        ScanIndexForward: false,
        Limit: ORPHAN_STOP_LIMIT,
      }),
    )
    .then((page) => (page.Items ?? []) as Record<string, unknown>[]);
  return fleetViewOf([...items, ...orphanStops], now);
}
