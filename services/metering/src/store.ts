import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterReading, MeterRequest, Session, Transaction } from '@evcharge/domain';
import {
  batchGetConsistent,
  entities,
  entityOf,
  GSI1,
  getSession,
  itemOf,
  keyOf,
  keys,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import {
  RESOLVABLE_METER_REQUEST_STATUS,
  type RegisterState,
  type SessionTotals,
  statusesPlannedAlike,
} from './rules.js';

// Access patterns of the metering service:
// | pattern                              | key condition                                               | index     |
// | ------------------------------------ | ----------------------------------------------------------- | --------- |
// | store a reading exactly once         | pk = READINGS#<charger>#<conn>, sk = <at>#<messageId>        | table     |
// | a connector's readings, by time      | pk = READINGS#<charger>#<conn>                               | table     |
// | the session after a reading's        | pk = READINGS#<charger>#<conn>, sk > <at>#<messageId>        | table     |
// | a session's readings, by time        | gsi1pk = SESSION#<id>, begins_with(gsi1sk, 'READING#')       | gsi1      |
// | a meter request                      | pk = SESSION#<id>, sk = METERREQ#<requestId> (Put, Get: @evcharge/dynamo) | table |
// | a v2 reading's transaction (read only; charge-authorization writes it) | pk = TRANSACTION#<id>, sk = TRANSACTION | table |
// | meter requests past their deadline   | duePk = DUE#meter-request#<shard>, dueAt <= now (deadlines.ts) | deadlines |

export type StoreReadingOutcome = 'stored' | 'duplicate';

/**
 * Write 1 of a reading: one PutItem, conditional on its key, so a duplicate delivery is a no-op. The reading
 * is in no index and carries no liveness update: one write unit for a reading up to 1 KB.
 */
export async function storeMeterReading(
  table: TableContext,
  reading: MeterReading,
): Promise<StoreReadingOutcome> {
  const item = itemOf(entities.meterReading, reading);
  return transact<StoreReadingOutcome>(table, `reading ${reading.messageId} of ${reading.chargerId}`, () => ({
    items: [
      { Put: { TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    ],
    result: 'stored',
    conditionFailed: () => ({ done: 'duplicate' }),
  }));
}

/** The Transaction item charge-authorization wrote for a transactionId; consistent, as it was just written. */
export async function getTransaction(
  table: TableContext,
  transactionId: number,
): Promise<Transaction | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.transaction(transactionId),
      ConsistentRead: true,
    }),
  );
  return Item ? entityOf<Transaction>(Item) : undefined;
}

/** How far a linked reading's device time may lie outside its session's times and still be listed with it. */
const SESSION_READINGS_SLACK_MS = 24 * 3_600_000;

/**
 * A session's readings, oldest first: its connector's readings around the session's times that name it
 * (readings are in no index, so a reading stays one write). A linked reading whose device clock was more
 * than a day off is not listed; the session's totals include it all the same.
 */
export async function listSessionReadings(table: TableContext, sessionId: string): Promise<MeterReading[]> {
  const session = await getSession(table, sessionId);
  if (!session) return [];
  const from = Date.parse(session.startedAt) - SESSION_READINGS_SLACK_MS;
  const to = Date.parse(session.endedAt ?? new Date().toISOString()) + SESSION_READINGS_SLACK_MS;
  const readings: MeterReading[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :readings AND sk BETWEEN :from AND :to',
        FilterExpression: 'sessionId = :session',
        ExpressionAttributeValues: {
          ':readings': keys.connectorReadingsPartition(session.chargerId, session.connectorId),
          ':from': new Date(from).toISOString(),
          ':to': new Date(to).toISOString(),
          ':session': sessionId,
        },
        ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
      }),
    );
    readings.push(...(page.Items ?? []).map((item) => entityOf<MeterReading>(item)));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return readings;
}

export async function listConnectorReadings(
  table: TableContext,
  chargerId: string,
  connectorId: number,
): Promise<MeterReading[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :readings',
      ExpressionAttributeValues: { ':readings': keys.connectorReadingsPartition(chargerId, connectorId) },
    }),
  );
  return Items.map((item) => entityOf<MeterReading>(item));
}

/**
 * The session that followed `ended` on the connector: the first reading after `after` (device time, then
 * messageId) that names another session. Undefined when none of the next `limit` readings does.
 */
export async function findNextSessionOnConnector(
  table: TableContext,
  after: { chargerId: string; connectorId: number; at: string; messageId: string },
  endedSessionId: string,
  limit = 25,
): Promise<string | undefined> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :readings AND sk > :after',
      ExpressionAttributeValues: {
        ':readings': keys.connectorReadingsPartition(after.chargerId, after.connectorId),
        ':after': keys.meterReading(after.chargerId, after.connectorId, after.at, after.messageId).sk,
      },
      ProjectionExpression: 'sessionId',
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return Items.map((item) => item.sessionId as string | undefined).find(
    (sessionId) => sessionId !== undefined && sessionId !== endedSessionId,
  );
}

interface Expression {
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Optimistic concurrency: the item still holds exactly the values the reading was applied to. */
function expectUnchanged(expression: Expression, expected: Record<string, unknown>): void {
  for (const [attribute, value] of Object.entries(expected)) {
    expression.names[`#${attribute}`] = attribute;
    if (value === undefined) {
      expression.conditions.push(`attribute_not_exists(#${attribute})`);
    } else {
      expression.values[`:expected_${attribute}`] = value;
      expression.conditions.push(`#${attribute} = :expected_${attribute}`);
    }
  }
}

/** The item still holds one of the values the reading was planned alike for. */
function expectOneOf(expression: Expression, attribute: string, values: readonly unknown[]): void {
  expression.names[`#${attribute}`] = attribute;
  const placeholders = values.map((value, index) => {
    expression.values[`:expected_${attribute}_${index}`] = value;
    return `:expected_${attribute}_${index}`;
  });
  expression.conditions.push(`#${attribute} IN (${placeholders.join(', ')})`);
}

/** SET the defined values, REMOVE the undefined ones. */
function setOrRemove(expression: Expression, next: Record<string, unknown>): string {
  const set: string[] = [];
  const remove: string[] = [];
  for (const [attribute, value] of Object.entries(next)) {
    expression.names[`#${attribute}`] = attribute;
    if (value === undefined) {
      remove.push(`#${attribute}`);
    } else {
      expression.values[`:${attribute}`] = value;
      set.push(`#${attribute} = :${attribute}`);
    }
  }
  return [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
}

export interface SessionMeterUpdate {
  sessionId: string;
  /** The register state the reading was applied to, as read. */
  expected: RegisterState;
  next: RegisterState;
  totals: SessionTotals;
  /**
   * The session as read, where the plan depends on it: active or ended (`statusesPlannedAlike`: a session that
   * ended meanwhile fails the write, so the reading is planned again and carries its register over), and its
   * OCPP transaction (attached meanwhile, it fixes the start: planned again).
   */
  expectedSession?: Pick<Session, 'status' | 'transactionId'>;
}

/** A reading's effect on one item: an Update, alone or inside write 2's transaction. */
export interface ReadingEffect {
  Update: {
    TableName: string;
    Key: Record<string, string>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  };
}

/** The session's register and totals, conditional on the state they were computed from. */
export function sessionMeterEffect(tableName: string, update: SessionMeterUpdate): ReadingEffect {
  return { Update: sessionMeterUpdate(tableName, update) };
}

function sessionMeterUpdate(tableName: string, update: SessionMeterUpdate) {
  const expression: Expression = { conditions: ['attribute_exists(pk)'], names: {}, values: {} };
  expectUnchanged(expression, {
    energyStartWh: update.expected.energyStartWh,
    energyStartAt: update.expected.energyStartAt,
    latestRegisterWh: update.expected.latestRegisterWh,
    lastReadingAt: update.expected.lastReadingAt,
  });
  if (update.expectedSession) {
    expectUnchanged(expression, { transactionId: update.expectedSession.transactionId });
    expectOneOf(expression, 'status', statusesPlannedAlike(update.expectedSession.status));
  }
  const updateExpression = setOrRemove(expression, {
    energyStartWh: update.next.energyStartWh,
    energyStartAt: update.next.energyStartAt,
    latestRegisterWh: update.next.latestRegisterWh,
    lastReadingAt: update.next.lastReadingAt,
    powerW: update.next.powerW,
    energyWh: update.totals.energyWh,
    costMinor: update.totals.costMinor,
  });
  return {
    TableName: tableName,
    Key: keys.session(update.sessionId),
    UpdateExpression: updateExpression,
    ConditionExpression: expression.conditions.join(' AND '),
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: expression.values,
  };
}

/** One session's totals alone. False when the session changed since it was read (nothing written). */
export function updateSessionMeter(table: TableContext, update: SessionMeterUpdate): Promise<boolean> {
  return transact(table, `session ${update.sessionId} totals`, () => ({
    items: [sessionMeterEffect(table.tableName, update)],
    result: true,
    conditionFailed: () => ({ done: false }),
  }));
}

export interface ConnectorRegisterUpdate {
  chargerId: string;
  connectorId: number;
  expected: { lastRegisterWh?: number | undefined; lastReadingAt?: string | undefined };
  next: { lastRegisterWh: number; lastReadingAt: string };
  /** Only while no session holds the connector (a new session has already taken its start from it). */
  requireFree?: boolean;
  /** Only while this session holds the connector (the reading was planned against that session). */
  heldBy?: string;
}

/** The connector's last known register, the next session's energyStartWh. */
export function connectorRegisterEffect(tableName: string, update: ConnectorRegisterUpdate): ReadingEffect {
  const expression: Expression = { conditions: ['attribute_exists(pk)'], names: {}, values: {} };
  expectUnchanged(expression, update.expected);
  if (update.requireFree) expression.conditions.push('attribute_not_exists(activeSessionId)');
  if (update.heldBy !== undefined) {
    expression.conditions.push('activeSessionId = :heldBy');
    expression.values[':heldBy'] = update.heldBy;
  }
  const updateExpression = setOrRemove(expression, update.next);
  return {
    Update: {
      TableName: tableName,
      Key: keys.connector(update.chargerId, update.connectorId),
      UpdateExpression: updateExpression,
      ConditionExpression: expression.conditions.join(' AND '),
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
    },
  };
}

/** Reads a request by the key the deadlines index returned. */
export async function getMeterRequestByKey(
  table: TableContext,
  key: { pk: string; sk: string },
): Promise<MeterRequest | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: key.pk, sk: key.sk } }),
  );
  return Item?.entityType === entities.meterRequest.entityType ? entityOf<MeterRequest>(Item) : undefined;
}

export interface MeterRequestResolution {
  sessionId: string;
  requestId: string;
  status: 'answered' | 'unavailable';
  resolvedAt: string;
  energyWh: number;
  powerW?: number | undefined;
  costMinor: number;
  currency?: string | undefined;
  lastReadingAt?: string | undefined;
}

/** pending → answered with the values; part of write 2 of the Trigger reading that answers it. */
export function meterRequestAnswerEffect(
  tableName: string,
  resolution: MeterRequestResolution,
): ReadingEffect {
  return { Update: meterRequestResolution(tableName, resolution) };
}

/** pending → answered | unavailable with the values, deadline disarmed. Only a pending request resolves. */
function meterRequestResolution(tableName: string, resolution: MeterRequestResolution) {
  const expression: Expression = {
    conditions: ['#status = :resolvable'],
    names: {},
    values: { ':resolvable': RESOLVABLE_METER_REQUEST_STATUS },
  };
  const { sessionId, requestId, ...values } = resolution;
  const setExpression = setOrRemove(
    expression,
    Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)),
  );
  return {
    TableName: tableName,
    Key: keys.meterRequest(sessionId, requestId),
    UpdateExpression: `${setExpression} REMOVE duePk, dueAt`,
    ConditionExpression: expression.conditions.join(' AND '),
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: expression.values,
  };
}

export type AnswerOutcome = 'answered' | 'not-pending' | 'session-changed';

/**
 * Write 2 of a Trigger reading that answers a pending request: the session's totals (when the reading
 * moves them) and the request's resolution commit together, so the notification carries these values.
 */
export async function answerMeterRequest(
  table: TableContext,
  resolution: MeterRequestResolution,
  sessionUpdate?: SessionMeterUpdate,
): Promise<AnswerOutcome> {
  const transactItems = [
    ...(sessionUpdate ? [{ Update: sessionMeterUpdate(table.tableName, sessionUpdate) }] : []),
    { Update: meterRequestResolution(table.tableName, resolution) },
  ];
  return transact<AnswerOutcome>(table, `meter request ${resolution.requestId} answer`, () => ({
    items: transactItems,
    result: 'answered',
    conditionFailed: (failed) => {
      if (failed.some((condition) => condition.index === transactItems.length - 1))
        return { done: 'not-pending' };
      return { done: 'session-changed' };
    },
  }));
}

/** The timeout sweeper's resolution. False when the request was already resolved (idempotent). */
export async function resolveMeterRequestUnavailable(
  table: TableContext,
  resolution: MeterRequestResolution,
): Promise<boolean> {
  return transact(table, `meter request ${resolution.requestId} timeout`, () => ({
    items: [{ Update: meterRequestResolution(table.tableName, resolution) }],
    result: true,
    conditionFailed: () => ({ done: false }),
  }));
}

/** A user's sessions, newest first: their entries in gsi1 (sort key starts with startedAt), then the sessions. */
export async function listUserSessions(table: TableContext, userId: string, limit = 50): Promise<Session[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':user': keys.userSessionsPartition(userId), ':prefix': 'SESSION#' },
      ProjectionExpression: 'sessionId',
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  const sessionIds = Items.map((item) => item.sessionId as string);
  const sessionKeys = sessionIds.map((sessionId) => keys.session(sessionId));
  const sessions = await batchGetConsistent(table, sessionKeys, { consistent: false });
  return sessionKeys.flatMap((key) => {
    const item = sessions.get(keyOf(key));
    return item ? [entityOf<Session>(item)] : [];
  });
}
