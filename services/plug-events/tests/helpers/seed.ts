import { randomUUID } from 'node:crypto';
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuthStatus,
  type Connector,
  connectorStatusOf,
  type IdTagRecord,
  type Session,
} from '@evcharge/domain';
import {
  addIdTag,
  connectorClaim,
  connectorRelease,
  entityOf,
  keys,
  registerCharger,
  sessionItem,
  sessionTransition,
  type TableContext,
  type TransactItems,
  tagSessionCountDown,
  tagSessionCountUp,
  transact,
  userSessionItem,
} from '@evcharge/dynamo';

// State other services own (chargers, sessions, the connector's active session, the tag's count), written
// the way ITEMS.md describes it, so this service is tested against the items it really meets without
// importing another service. The racing writers keep the other service's conditions: a race is only a race
// if both sides guard the items they share.

/** An Authorized session waits this long for a plug before the sweeper may expire it (the default timeout). */
const CONNECTION_TIMEOUT_MS = 120_000;
const TARIFF = { pricePerKwhMinor: 350, currency: 'KRW' } as const;

export async function registerTestCharger(table: TableContext, chargerId: string, connectorCount = 1) {
  await registerCharger(table, { chargerId, connectorCount, now: new Date('2026-11-25T06:00:00.000Z') });
}

/** The Session item as charge-authorization puts it: deadline armed while Authorized (its user's entry apart). */
function authorizedSessionItem(session: Session) {
  const expiry =
    session.status === 'Authorized'
      ? { dueAt: Date.parse(session.startedAt) + CONNECTION_TIMEOUT_MS }
      : undefined;
  return sessionItem(session, expiry);
}

export interface SeedSessionInput {
  chargerId: string;
  connectorId?: number;
  status: 'Authorized' | 'Charging';
  startedAtMs: number;
  idTag?: string;
  energyStartWh?: number;
  latestRegisterWh?: number;
  lastReadingAt?: string;
  pricePerKwhMinor?: number;
}

/**
 * A session as CHARGE-AUTHORIZATION creates it (ITEMS.md), written straight into the table: the Session
 * (deadline armed while Authorized), the connector holding it (plugged iff Charging), the tag's count + 1.
 */
export async function seedSession(table: TableContext, input: SeedSessionInput): Promise<Session> {
  const connectorId = input.connectorId ?? 1;
  const idTag = input.idTag ?? `TAG-${randomUUID().slice(0, 13)}`;
  const startedAt = new Date(input.startedAtMs).toISOString();
  const session: Session = {
    sessionId: randomUUID(),
    chargerId: input.chargerId,
    connectorId,
    userId: `user-${input.chargerId}`,
    idTag,
    status: input.status,
    startedAt,
    ...(input.status === 'Charging' ? { chargingStartedAt: startedAt } : {}),
    ...(input.energyStartWh !== undefined ? { energyStartWh: input.energyStartWh } : {}),
    ...(input.latestRegisterWh !== undefined ? { latestRegisterWh: input.latestRegisterWh } : {}),
    ...(input.lastReadingAt !== undefined ? { lastReadingAt: input.lastReadingAt } : {}),
    energyWh: 0,
    pricePerKwhMinor: input.pricePerKwhMinor ?? TARIFF.pricePerKwhMinor,
    costMinor: 0,
    currency: TARIFF.currency,
  };
  await addIdTag(table, { idTag, userId: session.userId, maxConcurrent: 5 });
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: authorizedSessionItem(session) }),
  );
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: userSessionItem(session) }));
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.connector(input.chargerId, connectorId),
      UpdateExpression: 'SET activeSessionId = :sessionId, plugged = :plugged, #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sessionId': session.sessionId,
        ':plugged': input.status === 'Charging',
        ':status': input.status === 'Charging' ? 'Charging' : 'Preparing',
      },
    }),
  );
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.idTag(idTag),
      UpdateExpression: 'SET activeSessionCount = activeSessionCount + :one',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
  return session;
}

/** One consistent read of several items, as the other service makes it (one round trip). */
async function consistentItems(
  table: TableContext,
  itemKeys: { pk: string; sk: string }[],
): Promise<(Record<string, unknown> | undefined)[]> {
  const { Responses } = await table.client.send(
    new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: itemKeys, ConsistentRead: true } } }),
  );
  const found = Responses?.[table.tableName] ?? [];
  return itemKeys.map((key) => found.find((item) => item.pk === key.pk && item.sk === key.sk));
}

export interface AuthorizeSessionInput {
  chargerId: string;
  connectorId?: number;
  idTag: string;
  /** Server receive time of the auth request: the session's startedAt. */
  receivedAtMs: number;
}

export interface AuthorizeSessionResult {
  attempt: { status: AuthStatus };
  session?: Session;
}

/**
 * An authorization racing this service, as CHARGE-AUTHORIZATION writes it (ITEMS.md): one consistent read,
 * then one transaction that puts the Session (Charging if the connector is plugged, else Authorized with
 * its deadline), claims the connector (still free, not faulted, plugged and register as read), counts the
 * tag (Accepted, below its limit) and lists it under its user. A lost condition reads again, so
 * the loser gets the answer the fresh state gives.
 */
export async function authorizeSession(
  table: TableContext,
  input: AuthorizeSessionInput,
): Promise<AuthorizeSessionResult> {
  const connectorId = input.connectorId ?? 1;
  const startedAt = new Date(input.receivedAtMs).toISOString();
  return transact<AuthorizeSessionResult>(
    table,
    `authorization on ${input.chargerId}/${connectorId}`,
    async () => {
      const [connectorItem, idTagItem] = await consistentItems(table, [
        keys.connector(input.chargerId, connectorId),
        keys.idTag(input.idTag),
      ]);
      const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
      const tag = idTagItem ? entityOf<IdTagRecord>(idTagItem) : undefined;
      if (!tag) return { done: { attempt: { status: 'Invalid' } } };
      if (tag.status === 'Blocked') return { done: { attempt: { status: 'Blocked' } } };
      if (tag.activeSessionCount >= tag.maxConcurrent)
        return { done: { attempt: { status: 'ConcurrentTx' } } };
      if (!connector || connector.faulted || connector.activeSessionId) {
        return { done: { attempt: { status: 'Unavailable' } } };
      }

      const status = connector.plugged ? 'Charging' : 'Authorized';
      const session: Session = {
        sessionId: randomUUID(),
        chargerId: input.chargerId,
        connectorId,
        userId: tag.userId,
        idTag: input.idTag,
        status,
        startedAt,
        ...(status === 'Charging' ? { chargingStartedAt: startedAt } : {}),
        ...(connector.lastRegisterWh !== undefined ? { energyStartWh: connector.lastRegisterWh } : {}),
        energyWh: 0,
        costMinor: 0,
        ...TARIFF,
      };
      const connectorStatus = connectorStatusOf(
        { plugged: connector.plugged, faulted: false, activeSessionId: session.sessionId },
        { sessionId: session.sessionId, status },
      );
      return {
        items: [
          {
            Put: {
              TableName: table.tableName,
              Item: authorizedSessionItem(session),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          connectorClaim(table.tableName, connector, session.sessionId, connectorStatus),
          tagSessionCountUp(table.tableName, input.idTag, new Date(input.receivedAtMs), ['Accepted']),
          {
            Put: {
              TableName: table.tableName,
              Item: userSessionItem(session),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        result: { attempt: { status: 'Accepted' }, session },
      };
    },
  );
}

export type ExpireSessionOutcome = { outcome: 'expired' } | { outcome: 'skipped' };

/**
 * The session-expiry sweeper's writes for one due session (ITEMS.md), in one transaction: the session
 * Authorized → Expired (condition: still Authorized), the connector released if it still holds it (in the
 * plug/fault state read), the tag's count − 1 (never below 0).
 */
export async function expireSession(
  table: TableContext,
  sessionId: string,
  now: Date,
): Promise<ExpireSessionOutcome> {
  return transact<ExpireSessionOutcome>(table, `expiry of session ${sessionId}`, async () => {
    const [stored] = await consistentItems(table, [keys.session(sessionId)]);
    if (!stored) return { done: { outcome: 'skipped' } };
    const session = entityOf<Session>(stored);
    const due = now.getTime() - Date.parse(session.startedAt) >= CONNECTION_TIMEOUT_MS;
    if (session.status !== 'Authorized' || !due) return { done: { outcome: 'skipped' } };
    const [connectorItem, idTagItem] = await consistentItems(table, [
      keys.connector(session.chargerId, session.connectorId),
      keys.idTag(session.idTag),
    ]);
    const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
    const tag = idTagItem ? entityOf<IdTagRecord>(idTagItem) : undefined;
    const items: TransactItems = [
      sessionTransition(table.tableName, sessionId, {
        from: 'Authorized',
        to: 'Expired',
        set: { endedAt: now.toISOString() },
      }),
    ];
    if (connector?.activeSessionId === sessionId) {
      const status = connectorStatusOf({
        plugged: connector.plugged,
        faulted: connector.faulted,
        unavailable: connector.unavailable,
      });
      items.push(connectorRelease(table.tableName, connector, sessionId, status));
    }
    if ((tag?.activeSessionCount ?? 0) > 0) items.push(tagSessionCountDown(table.tableName, session.idTag));
    return { items, result: { outcome: 'expired' } };
  });
}
