import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { allDeadlinePartitions, DEADLINES_INDEX, type DeadlineKind } from '../keys.js';
import type { TableContext } from '../table-context.js';

export interface DueItemKey {
  pk: string;
  sk: string;
  dueAt: number;
}

export interface DueItemsPage {
  items: DueItemKey[];
  /** Read capacity the queries consumed, so tests and the bench can show cost ∝ due items. */
  consumedReadUnits: number;
}

/**
 * Keys of every item of one deadline kind that is due at `nowMs`, across all shards. Reads only due
 * items (KEYS_ONLY projection): the cost grows with what is due, never with the fleet.
 */
export async function queryDueItems(
  table: TableContext,
  kind: DeadlineKind,
  nowMs: number,
  limitPerShard = 100,
): Promise<DueItemsPage> {
  const pages = await Promise.all(
    allDeadlinePartitions(kind).map((partition) =>
      table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: DEADLINES_INDEX,
          KeyConditionExpression: 'duePk = :partition AND dueAt <= :now',
          ExpressionAttributeValues: { ':partition': partition, ':now': nowMs },
          Limit: limitPerShard,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    ),
  );
  return {
    items: pages.flatMap((page) => (page.Items ?? []) as DueItemKey[]),
    consumedReadUnits: pages.reduce((sum, page) => sum + (page.ConsumedCapacity?.CapacityUnits ?? 0), 0),
  };
}
