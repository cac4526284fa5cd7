// Key templates of the single table, in one place. See README.md for the access-pattern table.

export const GSI1 = 'gsi1';
export const DEADLINES_INDEX = 'deadlines';

/** Deadline kinds share one sparse, sharded index; each has its own sweeper. */
export type DeadlineKind = 'charger-offline' | 'session-expiry' | 'meter-request';

/** 16 shards keep every deadline partition far below DynamoDB's per-partition limits at 100 k chargers. */
export const DEADLINE_SHARDS = 16;

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
  return deadlinePartition(kind, shardOf(id));
}

export function allDeadlinePartitions(kind: DeadlineKind): string[] {
  return Array.from({ length: DEADLINE_SHARDS }, (_, shard) => deadlinePartition(kind, shard));
}

const pad = (connectorId: number) => String(connectorId).padStart(3, '0');

export const keys = {
  charger: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'CHARGER' }),
  /** The registry record of the latest boot, apart from the item hot-path writes touch. */
  chargerBoot: (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'BOOT' }),
  connector: (chargerId: string, connectorId: number) => ({
    pk: `CHARGER#${chargerId}`,
    sk: `CONNECTOR#${pad(connectorId)}`,
  }),
  connectorPrefix: 'CONNECTOR#',
  connectorHistory: (
    chargerId: string,
    connectorId: number,
    at: string,
    kind: string,
    messageId: string,
  ) => ({
    pk: `CONNHIST#${chargerId}#${pad(connectorId)}`,
    sk: `${at}#${kind}#${messageId}`,
  }),
  connectorHistoryPartition: (chargerId: string, connectorId: number) =>
    `CONNHIST#${chargerId}#${pad(connectorId)}`,
  idTag: (idTag: string) => ({ pk: `IDTAG#${idTag}`, sk: 'IDTAG' }),
  idTagList: (idTag: string) => ({ gsi1pk: 'IDTAGS', gsi1sk: idTag }),
  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  userSessions: (userId: string, startedAt: string, sessionId: string) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `SESSION#${startedAt}#${sessionId}`,
  }),
  userSessionsPartition: (userId: string) => `USER#${userId}`,
  meterReading: (chargerId: string, connectorId: number, at: string, messageId: string) => ({
    pk: `READINGS#${chargerId}#${pad(connectorId)}`,
    sk: `${at}#${messageId}`,
  }),
  connectorReadingsPartition: (chargerId: string, connectorId: number) =>
    `READINGS#${chargerId}#${pad(connectorId)}`,
  sessionReadings: (sessionId: string, at: string, messageId: string) => ({
    gsi1pk: `SESSION#${sessionId}`,
    gsi1sk: `READING#${at}#${messageId}`,
  }),
  sessionReadingsPartition: (sessionId: string) => `SESSION#${sessionId}`,
  meterRequest: (sessionId: string, requestId: string) => ({
    pk: `SESSION#${sessionId}`,
    sk: `METERREQ#${requestId}`,
  }),
  authAttempt: (chargerId: string, requestId: string) => ({
    pk: `AUTH#${chargerId}#${requestId}`,
    sk: 'AUTH',
  }),
  /** Idempotency records: one per processed message or sent notification, expired by TTL. */
  idempotency: (scope: string, naturalKey: string) => ({
    pk: `IDEMPOTENCY#${scope}#${naturalKey}`,
    sk: 'IDEMPOTENCY',
  }),
} as const;

/** Entity type tag stored on every item, so stream consumers can tell items apart without parsing keys. */
export type EntityType =
  | 'Charger'
  | 'Connector'
  | 'ConnectorEvent'
  | 'IdTag'
  | 'Session'
  | 'MeterReading'
  | 'MeterRequest'
  | 'AuthAttempt'
  | 'Idempotency';
