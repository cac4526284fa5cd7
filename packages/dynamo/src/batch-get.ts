import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '@evcharge/domain';
import type { TableContext } from './table-context.js';

const MAX_KEYS_PER_BATCH = 100;
const MAX_ROUNDS = 5;
const BACKOFF_BASE_MS = 20;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The map key `batchGetConsistent` files an item under. */
export const keyOf = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;

/**
 * Items by key (`keyOf`), read in BatchGets of up to 100 keys; unprocessed keys (throttling) are fetched
 * again a few times with backoff. Strongly consistent unless `consistent` is false.
 */
export async function batchGetConsistent(
  table: TableContext,
  itemKeys: { pk: string; sk: string }[],
  { consistent = true }: { consistent?: boolean } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let offset = 0; offset < itemKeys.length; offset += MAX_KEYS_PER_BATCH) {
    let pending: Record<string, unknown>[] = itemKeys.slice(offset, offset + MAX_KEYS_PER_BATCH);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new TransientError(`BatchGet left keys unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 0) await sleep(Math.random() * BACKOFF_BASE_MS * 2 ** round);
      const { Responses, UnprocessedKeys } = await table.client.send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: pending, ConsistentRead: consistent } },
        }),
      );
      for (const item of Responses?.[table.tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = UnprocessedKeys?.[table.tableName]?.Keys ?? [];
    }
  }
  return found;
}
