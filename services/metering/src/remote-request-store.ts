import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  isActiveSessionStatus,
  type PendingRemoteStart,
  type RemoteRequest,
  type Session,
  sessionStatuses,
} from '@evcharge/domain';
import {
  entities,
  entityOf,
  itemOf,
  keys,
  type TableContext,
  type TransactItems,
  transact,
} from '@evcharge/dynamo';
import { RESOLVABLE_REMOTE_REQUEST_STATUS, type RemoteResolution } from './remote-request-rules.js';

// Remote start/stop, the DynamoDB use case of the metering service:
// | pattern                                 | key / condition                                                        |
// | --------------------------------------- | ---------------------------------------------------------------------- |
// | a remote request (answer, timer)        | pk = REMOTEREQ#<charger>#<requestId>, sk = REMOTEREQ (GetItem)          |
// | create a start                          | Put request (if absent, deadline armed) + Put pending start           |
// |                                         | REMOTESTART#<charger>#<conn> / <idTag> (replaces an older one)         |
// | create a stop                           | Put request (if absent) + session SET remoteStopRequestId (active, tx) |
// | resolve                                 | request pending → status (deadline disarmed) [+ Delete pending start   |
// |                                         | if ours and untaken] [+ session REMOVE remoteStopRequestId if ours]   |
// | remote requests past their deadline     | duePk = DUE#remote-request#<shard>, dueAt <= now (queryDueItems)        |

/** How long an accepted start nobody took is kept (TTL) once its attach window has passed. */
const PENDING_START_RETENTION_S = 24 * 3600;

/** `#status IN (…)` over the active session statuses, from the same rule the decisions use. */
const activeStatuses = sessionStatuses.filter(isActiveSessionStatus);
const activeSessionCondition = `#status IN (${activeStatuses.map((_, index) => `:active${index}`).join(', ')})`;
const activeSessionValues = Object.fromEntries(
  activeStatuses.map((status, index) => [`:active${index}`, status]),
);

const putIfAbsent = (table: TableContext, item: object) => ({
  Put: { TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** Records a pending remote start with its deadline armed, and the pending start transaction/start reads. */
export async function createRemoteStart(
  table: TableContext,
  request: RemoteRequest,
  pendingStart: PendingRemoteStart,
): Promise<void> {
  const expiresAtEpochS = Math.ceil(Date.parse(pendingStart.attachUntil) / 1000) + PENDING_START_RETENTION_S;
  await transact(table, `remote start ${request.requestId}`, () => ({
    items: [
      putIfAbsent(table, itemOf(entities.remoteRequest, request, { dueAt: Date.parse(request.expiresAt) })),
      // Unconditional: the newest remote start for this charger, connector and tag is the one a start answers.
      {
        Put: {
          TableName: table.tableName,
          Item: { ...itemOf(entities.pendingRemoteStart, pendingStart), expiresAtEpochS },
        },
      },
    ],
    result: undefined,
  }));
}

/**
 * Records a pending remote stop and names it on the session, while the session is still active with that
 * transaction. False when the session changed meanwhile (nothing written).
 */
export async function createRemoteStop(
  table: TableContext,
  request: RemoteRequest,
  session: Pick<Session, 'sessionId' | 'transactionId'>,
): Promise<boolean> {
  return transact(table, `remote stop ${request.requestId}`, () => ({
    items: [
      putIfAbsent(table, itemOf(entities.remoteRequest, request, { dueAt: Date.parse(request.expiresAt) })),
      {
        Update: {
          TableName: table.tableName,
          Key: keys.session(session.sessionId),
          UpdateExpression: 'SET remoteStopRequestId = :requestId',
          ConditionExpression: `${activeSessionCondition} AND transactionId = :transactionId`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':requestId': request.requestId,
            ':transactionId': session.transactionId,
            ...activeSessionValues,
          },
        },
      },
    ],
    result: true,
    conditionFailed: (failed) => {
      if (failed.some((condition) => condition.index === 1)) return { done: false };
      return 'reread';
    },
  }));
}

async function getConsistent<Entity>(
  table: TableContext,
  key: { pk: string; sk: string },
  entityType: string,
): Promise<Entity | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return Item?.entityType === entityType ? entityOf<Entity>(Item) : undefined;
}

export function getRemoteRequestByKey(
  table: TableContext,
  key: { pk: string; sk: string },
): Promise<RemoteRequest | undefined> {
  return getConsistent<RemoteRequest>(table, { pk: key.pk, sk: key.sk }, entities.remoteRequest.entityType);
}

export function getRemoteRequest(
  table: TableContext,
  chargerId: string,
  requestId: string,
): Promise<RemoteRequest | undefined> {
  return getRemoteRequestByKey(table, keys.remoteRequest(chargerId, requestId));
}

export function getPendingRemoteStart(
  table: TableContext,
  request: Pick<RemoteRequest, 'chargerId' | 'connectorId' | 'idTag'>,
): Promise<PendingRemoteStart | undefined> {
  return getConsistent<PendingRemoteStart>(
    table,
    keys.pendingRemoteStart(request.chargerId, request.connectorId, request.idTag),
    entities.pendingRemoteStart.entityType,
  );
}

export function getSessionConsistent(table: TableContext, sessionId: string): Promise<Session | undefined> {
  return getConsistent<Session>(table, keys.session(sessionId), entities.session.entityType);
}

export interface ResolutionWrite {
  request: RemoteRequest;
  resolution: RemoteResolution;
  resolvedAt: string;
  answer?: { answer: NonNullable<RemoteRequest['answer']>; answeredAt: string } | undefined;
}

/** The items of one resolution: the request's move (conditional on pending) first, then what it clears. */
export function resolutionItems(table: TableContext, write: ResolutionWrite): TransactItems {
  const { request, resolution } = write;
  const values: Record<string, unknown> = {
    ':resolvable': RESOLVABLE_REMOTE_REQUEST_STATUS,
    ':status': resolution.status,
    ':resolvedAt': write.resolvedAt,
    ':resolvedBy': resolution.resolvedBy,
  };
  const set = ['#status = :status', 'resolvedAt = :resolvedAt', 'resolvedBy = :resolvedBy'];
  if (write.answer) {
    set.push('answer = :answer', 'answeredAt = :answeredAt');
    values[':answer'] = write.answer.answer;
    values[':answeredAt'] = write.answer.answeredAt;
  }
  const items: TransactItems = [
    {
      Update: {
        TableName: table.tableName,
        Key: keys.remoteRequest(request.chargerId, request.requestId),
        UpdateExpression: `SET ${set.join(', ')} REMOVE duePk, dueAt`,
        ConditionExpression: '#status = :resolvable',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    },
  ];
  if (resolution.clearPendingStart) {
    items.push({
      Delete: {
        TableName: table.tableName,
        Key: keys.pendingRemoteStart(request.chargerId, request.connectorId, request.idTag),
        ConditionExpression: 'requestId = :requestId AND attribute_not_exists(sessionId)',
        ExpressionAttributeValues: { ':requestId': request.requestId },
      },
    });
  }
  if (resolution.clearSessionStop && request.sessionId) {
    items.push({
      Update: {
        TableName: table.tableName,
        Key: keys.session(request.sessionId),
        UpdateExpression: 'REMOVE remoteStopRequestId',
        ConditionExpression: `remoteStopRequestId = :requestId AND ${activeSessionCondition}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':requestId': request.requestId, ...activeSessionValues },
      },
    });
  }
  return items;
}
