import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuthAttempt,
  BadInputError,
  type Charger,
  type Connector,
  connectorStatusOf,
  DEFAULT_CONNECTION_TIMEOUT_S,
  type IdTagRecord,
  type Session,
  type Tariff,
} from '@evcharge/domain';
import {
  batchGetConsistent,
  connectorClaim,
  connectorRelease,
  entities,
  entityOf,
  type FailedCondition,
  itemOf,
  keyOf,
  keys,
  mapConcurrently,
  queryDueItems,
  type RetryOptions,
  sessionItem,
  sessionListingItem,
  sessionTransition,
  type TableContext,
  type TransactItems,
  tagSessionCountDown,
  tagSessionCountUp,
  transact,
  userSessionItem,
} from '@evcharge/dynamo';
import {
  type AuthRequestFacts,
  assertSameAuthRequest,
  authAttemptOf,
  decideAuthorization,
  newSession,
  planSessionExpiry,
  type SessionExpiryPlan,
  sessionExpiryDueAt,
  sessionStartingTagStatuses,
} from './rules.js';

// Access patterns of the charge-authorization service:
// | pattern                                   | key / condition                                                  |
// | ----------------------------------------- | ---------------------------------------------------------------- |
// | decide an auth request (one read)         | BatchGet charger, connector, idTag, AuthAttempt (consistent)     |
// | Accepted (one transaction)                | Put Session + Update Connector + Update IdTag + Put AuthAttempt  |
// |                                           | + Put UserSession (its user's list entry, gsi1)                  |
// | rejected (one PutItem)                    | Put AuthAttempt (attribute_not_exists)                           |
// | Authorize (OCPP, no write)                | BatchGet idTag + charger (an unregistered charger is bad input)  |
// | duplicate (chargerId, requestId)          | AuthAttempt by keys.authAttempt → the stored decision            |
// | due session expiries                      | deadlines index, duePk = DUE#session-expiry#<shard>, dueAt ≤ now |
// | expire one session (one transaction)      | Session Authorized→Expired, Connector release, IdTag count − 1   |

/** A DynamoDB condition refused the very state a decision accepted: code and table disagree. Never retried. */
export class RuleDisagreementError extends Error {
  override readonly name = 'RuleDisagreementError';
}

/**
 * A condition on the connector or the tag failed although that item is exactly as the Accepted decision
 * read it: no race explains it, the condition enforces a rule the decision does not (or the reverse), and
 * re-reading would only decide Accepted again. A changed item is a lost race: re-read and re-decide.
 */
export function assertConditionsAgreeWithDecision(
  failedConditions: FailedCondition[],
  decidedOn: { index: number; name: string; item: Record<string, unknown> }[],
  decision: string,
): void {
  for (const { index, name, item } of decidedOn) {
    const failed = failedConditions.find((condition) => condition.index === index);
    if (failed && isDeepStrictEqual(failed.item, item)) {
      throw new RuleDisagreementError(`the ${name} condition refused the ${name} that ${decision} accepted`);
    }
  }
}

export interface AuthorizeChargeRequest extends AuthRequestFacts {
  /** Server receive time (rule `timestamp()`): the decision's `now` and the session's startedAt. */
  receivedAtMs: number;
}

export interface AuthorizeChargeOptions extends RetryOptions {
  tariff: Tariff;
  connectionTimeoutS?: number;
  newSessionId?: () => string;
  /** Clock for the attempt's decidedAt. */
  now?: () => Date;
}

export interface AuthorizeChargeResult {
  /** The stored decision: the one this call committed, or the one a previous delivery committed. */
  attempt: AuthAttempt;
  duplicate: boolean;
  session?: Session;
}

/**
 * Decides and records an auth request in one read and one transaction. A lost race (a condition
 * failed because another request changed the connector or the tag) re-reads and re-decides, so the
 * loser gets the answer the fresh state gives and never a wrong Accepted. A condition that refuses the
 * very connector or tag the decision accepted is a RuleDisagreementError (a bug), never a retry loop.
 * Idempotent per (chargerId, requestId): a duplicate returns the stored decision; a reused id with other
 * content is bad input.
 */
export async function authorizeCharge(
  table: TableContext,
  request: AuthorizeChargeRequest,
  options: AuthorizeChargeOptions,
): Promise<AuthorizeChargeResult> {
  const clock = options.now ?? (() => new Date());
  const newSessionId = options.newSessionId ?? randomUUID;
  const receivedAt = new Date(request.receivedAtMs);
  const chargerKey = keys.charger(request.chargerId);
  const connectorKey = keys.connector(request.chargerId, request.connectorId);
  const idTagKey = keys.idTag(request.idTag);
  const attemptKey = keys.authAttempt(request.chargerId, request.requestId);

  const what = `auth request ${request.requestId} on ${request.chargerId}`;
  return transact<AuthorizeChargeResult>(
    table,
    what,
    async () => {
      const items = await batchGetConsistent(table, [chargerKey, connectorKey, idTagKey, attemptKey]);
      const storedAttempt = items.get(keyOf(attemptKey));
      if (storedAttempt) {
        const attempt = entityOf<AuthAttempt>(storedAttempt);
        assertSameAuthRequest(attempt, request);
        return { done: { attempt, duplicate: true } };
      }
      const chargerItem = items.get(keyOf(chargerKey));
      const connectorItem = items.get(keyOf(connectorKey));
      const idTagItem = items.get(keyOf(idTagKey));
      const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
      const idTag = idTagItem ? entityOf<IdTagRecord>(idTagItem) : undefined;
      const decision = decideAuthorization({
        chargerId: request.chargerId,
        charger: chargerItem ? entityOf<Charger>(chargerItem) : undefined,
        connector,
        idTag,
        now: receivedAt,
      });

      let session: Session | undefined;
      let transactItems: TransactItems;
      let attempt: AuthAttempt;
      // The items an Accepted transaction conditions on, as read, at their positions in the transaction.
      let decidedOn: { index: number; name: string; item: Record<string, unknown> }[] = [];
      if (decision.status === 'Accepted' && connectorItem && connector && idTagItem && idTag) {
        session = newSession({
          sessionId: newSessionId(),
          request,
          userId: idTag.userId,
          initialSessionStatus: decision.initialSessionStatus,
          startedAt: receivedAt,
          energyStartWh: connector.lastRegisterWh,
          tariff: options.tariff,
        });
        attempt = authAttemptOf(request, decision, {
          userId: idTag.userId,
          sessionId: session.sessionId,
          decidedAt: clock(),
        });
        transactItems = [
          putSession(table, session, options.connectionTimeoutS ?? DEFAULT_CONNECTION_TIMEOUT_S),
          claimConnector(table, connector, session),
          tagSessionCountUp(table.tableName, request.idTag, receivedAt, sessionStartingTagStatuses),
          putAttempt(table, attempt),
          putIfAbsent(table, userSessionItem(session)),
          putIfAbsent(table, sessionListingItem(session)),
        ];
        decidedOn = [
          { index: 1, name: 'connector', item: connectorItem },
          { index: 2, name: 'idTag', item: idTagItem },
        ];
      } else {
        attempt = authAttemptOf(request, decision, {
          userId: idTag?.userId,
          sessionId: undefined,
          decidedAt: clock(),
        });
        transactItems = [putAttempt(table, attempt)];
      }

      return {
        items: transactItems,
        result: { attempt, duplicate: false, ...(session ? { session } : {}) },
        conditionFailed: (failed) => {
          assertConditionsAgreeWithDecision(
            failed,
            decidedOn,
            `decideAuthorization (charger ${request.chargerId}, request ${request.requestId})`,
          );
          return 'reread';
        },
      };
    },
    options,
  );
}

function putSession(table: TableContext, session: Session, connectionTimeoutS: number) {
  // Only an Authorized session waits for a plug; its deadline is armed in the sparse index.
  const expiry =
    session.status === 'Authorized'
      ? { dueAt: sessionExpiryDueAt(session.startedAt, connectionTimeoutS) }
      : undefined;
  return {
    Put: {
      TableName: table.tableName,
      Item: sessionItem(session, expiry),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Put of a record written once: a second write of the same key fails its condition. */
export function putIfAbsent(table: TableContext, item: object) {
  return { Put: { TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The connector status the claim writes follows from the connector as read and the session it now holds. */
function claimConnector(table: TableContext, connector: Connector, session: Session) {
  const status = connectorStatusOf(
    { plugged: connector.plugged, faulted: false, activeSessionId: session.sessionId },
    { sessionId: session.sessionId, status: session.status },
  );
  return connectorClaim(table.tableName, connector, session.sessionId, status);
}

function putAttempt(table: TableContext, attempt: AuthAttempt) {
  return {
    Put: {
      TableName: table.tableName,
      Item: itemOf(entities.authAttempt, attempt),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function getAuthAttempt(
  table: TableContext,
  chargerId: string,
  requestId: string,
): Promise<AuthAttempt | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.authAttempt(chargerId, requestId) }),
  );
  return Item ? entityOf<AuthAttempt>(Item) : undefined;
}

// Session expiry: the one connection-timeout mechanism. PLUG-EVENTS only disarms it (REMOVE duePk).

export interface ExpireSessionsOptions extends RetryOptions {
  now: Date;
  connectionTimeoutS?: number;
  /** Sessions expired in parallel. */
  concurrency?: number;
}

export type SessionExpiryOutcome =
  | { sessionId: string; outcome: 'expired'; releasedConnector: boolean; decrementedTag: boolean }
  | { sessionId: string; outcome: 'skipped'; reason: 'not-found' | 'not-authorized' | 'not-due' };

export interface ExpireSessionsResult {
  due: number;
  expired: number;
  skipped: number;
  outcomes: SessionExpiryOutcome[];
}

/** Expires every Authorized session whose connection timeout has passed. Safe to run twice or concurrently. */
export async function expireDueSessions(
  table: TableContext,
  options: ExpireSessionsOptions,
): Promise<ExpireSessionsResult> {
  const { items } = await queryDueItems(table, 'session-expiry', options.now.getTime());
  const sessionPrefix = keys.session('').pk;
  // Only sessions arm session-expiry deadlines; anything else there is not ours to touch.
  const sessionIds = items
    .map((due) => ({ due, sessionId: due.pk.slice(sessionPrefix.length) }))
    .filter(({ due, sessionId }) => due.pk.startsWith(sessionPrefix) && due.sk === keys.session(sessionId).sk)
    .map(({ sessionId }) => sessionId);
  const outcomes = await mapConcurrently(sessionIds, options.concurrency ?? 10, (sessionId) =>
    expireSession(table, sessionId, options),
  );
  const expired = outcomes.filter((outcome) => outcome.outcome === 'expired').length;
  return { due: items.length, expired, skipped: outcomes.length - expired, outcomes };
}

/**
 * Expires one session in one transaction: Authorized→Expired (condition: still Authorized), connector
 * released (condition: it still holds this session, in the state read), tag count − 1 (condition > 0).
 * A failed condition re-reads: if the session is no longer Authorized someone else won and it is skipped.
 */
export async function expireSession(
  table: TableContext,
  sessionId: string,
  options: ExpireSessionsOptions,
): Promise<SessionExpiryOutcome> {
  return transact<SessionExpiryOutcome>(
    table,
    `session ${sessionId} expiry`,
    async () => {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId), ConsistentRead: true }),
      );
      if (!Item) return { done: { sessionId, outcome: 'skipped', reason: 'not-found' } };
      const session = entityOf<Session>(Item);
      const connectorKey = keys.connector(session.chargerId, session.connectorId);
      const idTagKey = keys.idTag(session.idTag);
      const related = await batchGetConsistent(table, [connectorKey, idTagKey]);
      const connectorItem = related.get(keyOf(connectorKey));
      const idTagItem = related.get(keyOf(idTagKey));
      const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
      const plan = planSessionExpiry({
        session,
        connector,
        idTag: idTagItem ? entityOf<IdTagRecord>(idTagItem) : undefined,
        now: options.now,
        ...(options.connectionTimeoutS !== undefined
          ? { connectionTimeoutS: options.connectionTimeoutS }
          : {}),
      });
      if (!plan.expire) return { done: { sessionId, outcome: 'skipped', reason: plan.reason } };

      return {
        items: expiryTransaction(table, session, connector, plan, options.now),
        result: {
          sessionId,
          outcome: 'expired',
          releasedConnector: plan.releaseConnector,
          decrementedTag: plan.decrementTagCount,
        },
      };
    },
    options,
  );
}

function expiryTransaction(
  table: TableContext,
  session: Session,
  connector: Connector | undefined,
  plan: Extract<SessionExpiryPlan, { expire: true }>,
  now: Date,
): TransactItems {
  const items: TransactItems = [
    sessionTransition(table.tableName, session.sessionId, {
      from: 'Authorized',
      to: 'Expired',
      set: { endedAt: now.toISOString() },
    }),
  ];
  if (plan.releaseConnector && connector && plan.connectorStatus) {
    items.push(connectorRelease(table.tableName, connector, session.sessionId, plan.connectorStatus));
  }
  if (plan.decrementTagCount) items.push(tagSessionCountDown(table.tableName, session.idTag));
  return items;
}

// OCPP Authorize (contract v2): the tag alone, no connector, nothing opened.

export interface IdTagCheck {
  chargerId: string;
  idTag: string;
  /** Server receive time (rule `timestamp()`). */
  receivedAtMs: number;
}

/**
 * Reads the tag and the charger in one batch: an unregistered charger is bad input. Nothing is written:
 * Authorize opens no session, and liveness comes from the connection and heartbeats, not from every message.
 */
export async function checkIdTag(table: TableContext, check: IdTagCheck): Promise<IdTagRecord | undefined> {
  const idTagKey = keys.idTag(check.idTag);
  const chargerKey = keys.charger(check.chargerId);
  const items = await batchGetConsistent(table, [idTagKey, chargerKey]);
  if (!items.get(keyOf(chargerKey))) {
    throw new BadInputError('chargerId', `charger "${check.chargerId}" is not registered`);
  }
  const item = items.get(keyOf(idTagKey));
  return item ? entityOf<IdTagRecord>(item) : undefined;
}
