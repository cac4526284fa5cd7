// The single table's key schema: its key and index attributes, index names and deadline shards. Each entity's
// key templates are in entities.ts; README.md has the access-pattern table.

export const GSI1 = 'gsi1';
export const DEADLINES_INDEX = 'deadlines';

/** The table's key. Its attribute names are those of table-definition.json (a unit test checks they agree). */
export interface PrimaryKey {
  pk: string;
  sk: string;
}

/** The key an item carries to appear in `gsi1`, the overloaded second access path. */
export interface Gsi1Key {
  gsi1pk: string;
  gsi1sk: string;
}

/**
 * Set (true) on an item whose write notifies no one although its entity's other writes may: the notify
 * function's stream filter drops the records that carry it (services/notifications/serverless.yml). A storage
 * attribute, like the keys: `itemOf` sets it from the definition's `streamSilent`, `entityOf` strips it. Only for
 * entities written whole and once (a Put): left on an item, it would silence the item's later writes.
 */
export const STREAM_SILENT = 'streamSilent';

/** The key an item carries while its deadline is armed in the sparse `deadlines` index (`dueAt`: epoch ms). */
export interface DeadlineKey {
  duePk: string;
  dueAt: number;
}

/** Deadline kinds share one sparse, sharded index; each has its own sweeper. */
export type DeadlineKind = 'charger-offline' | 'session-expiry' | 'meter-request' | 'remote-request';

/** 16 shards keep every charger partition (deadlines, the fleet list) far below DynamoDB's per-partition limits at 100 k chargers. */
export const DEADLINE_SHARDS = 16;

/**
 * Shards per deadline kind: a sweep runs one query per shard, so a kind gets no more than its writes need. At
 * 100 k chargers the offline deadlines move ~30 times a second; sessions (two a day per charger), meter and
 * remote requests (a user's action) arm and disarm a few times a second at most, where one partition takes
 * 1,000 writes a second: two shards each, one query per shard, keep their sweeps cheap and cold starts short.
 */
export const DEADLINE_SHARDS_OF: Readonly<Record<DeadlineKind, number>> = {
  'charger-offline': DEADLINE_SHARDS,
  'session-expiry': 2,
  'meter-request': 2,
  'remote-request': 2,
};

/** FNV-1a: a stable, cheap spread of ids over shards. */
export function shardOf(id: string, shards = DEADLINE_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export function deadlinePartition(kind: DeadlineKind, shard: number): string {
  return `DUE#${kind}#${shard}`;
}

export function deadlinePartitionFor(kind: DeadlineKind, id: string): string {
  return deadlinePartition(kind, shardOf(id, DEADLINE_SHARDS_OF[kind]));
}

export function allDeadlinePartitions(kind: DeadlineKind): string[] {
  return Array.from({ length: DEADLINE_SHARDS_OF[kind] }, (_, shard) => deadlinePartition(kind, shard));
}
