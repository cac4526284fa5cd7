import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  BadInputError,
  type Charger,
  type Connector,
  connectorStatusOf,
  type IdTagInfo,
  type IdTagRecord,
  type OrphanTransactionStop,
  type PendingRemoteStart,
  type Session,
  type Tariff,
  type Transaction,
  type TransactionStart,
} from '@evcharge/domain';
import {
  batchGetConsistent,
  connectorClaim,
  connectorRelease,
  entities,
  entityOf,
  itemOf,
  keyOf,
  keys,
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
  assertSameTransactionStart,
  DEFAULT_STOP_REASON,
  decideTransactionStart,
  newTransactionSession,
  planTransactionStop,
  remoteStartAnswered,
  sessionStartingTagStatuses,
  stopIdTagInfoOf,
  type TransactionStartFacts,
  type TransactionStopFacts,
  type TransactionStopPlan,
  transactionIdOf,
} from './rules.js';
import { assertConditionsAgreeWithDecision, putIfAbsent } from './store.js';

// Contract v2 transactions (OCPP StartTransaction / StopTransaction), the DynamoDB use case:
// | pattern                                  | key / condition                                                       |
// | ---------------------------------------- | --------------------------------------------------------------------- |
// | decide a start (one read, + its session) | BatchGet charger, connector, idTag, TransactionStart, the pending     |
// |                                          | remote start REMOTESTART#<charger>#<conn> / <idTag> (consistent)      |
// | allocate a transactionId                 | UpdateItem ADD value on COUNTER#transactionId (outside the write)     |
// | open (one transaction)                   | Put TransactionStart + Put Transaction + Put Session + connector      |
// |                                          | claim + IdTag count + 1 + Put UserSession [+ pending start taken]     |
// | attach to a v1 session                   | Put TransactionStart + Put Transaction + Session → Charging (no       |
// |                                          | transactionId yet) + connector status                                 |
// | refused                                  | Put TransactionStart + Put Transaction (no session)                   |
// | stop                                     | BatchGet Transaction + charger, then session, connector, idTag; one   |
// |                                          | transaction: Transaction stop (attribute_not_exists(stoppedAt)) +     |
// |                                          | Session → Completed + connector release + IdTag count − 1             |
// | orphan stop                              | Put OrphanTransactionStop (if absent)                                 |

export const TRANSACTION_ID_COUNTER = 'transactionId';

/** One atomic ADD on the counter item: the next transactionId (gaps are fine: a lost race wastes one). */
export async function allocateTransactionId(table: TableContext): Promise<number> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.counter(TRANSACTION_ID_COUNTER),
      UpdateExpression: 'SET entityType = :entityType, counterName = :counterName ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: {
        ':entityType': entities.counter.entityType,
        ':counterName': TRANSACTION_ID_COUNTER,
        ':one': 1,
      },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return transactionIdOf(Number(Attributes?.value));
}

export interface StartTransactionRequest extends TransactionStartFacts {
  requestId: string;
  reservationId?: number | undefined;
  /** Server receive time: the charger's sign of life. */
  receivedAtMs: number;
}

export interface StartTransactionOptions extends RetryOptions {
  tariff: Tariff;
  newSessionId?: () => string;
  /** Clock for the start's decidedAt. */
  now?: () => Date;
}

export interface StartTransactionResult {
  /** The stored start: the one this call committed, or the one a previous delivery committed. */
  start: TransactionStart;
  duplicate: boolean;
}

/**
 * Decides and records a transaction/start in one read and one transaction, with a transactionId from the
 * counter. A repeated start (same connector and device time) returns the stored start; the same key with
 * another idTag or meterStart is bad input. A lost race re-reads and re-decides, as authorizeCharge does.
 */
export async function startTransaction(
  table: TableContext,
  request: StartTransactionRequest,
  options: StartTransactionOptions,
): Promise<StartTransactionResult> {
  const clock = options.now ?? (() => new Date());
  const newSessionId = options.newSessionId ?? randomUUID;
  const chargerKey = keys.charger(request.chargerId);
  const connectorKey = keys.connector(request.chargerId, request.connectorId);
  const idTagKey = keys.idTag(request.idTag);
  const startKey = keys.transactionStart(request.chargerId, request.connectorId, request.at);
  const remoteStartKey = keys.pendingRemoteStart(request.chargerId, request.connectorId, request.idTag);
  let transactionId: number | undefined;

  return transact<StartTransactionResult>(
    table,
    `transaction start on ${request.chargerId} connector ${request.connectorId} at ${request.at}`,
    async () => {
      const items = await batchGetConsistent(table, [
        chargerKey,
        connectorKey,
        idTagKey,
        startKey,
        remoteStartKey,
      ]);
      const storedStart = items.get(keyOf(startKey));
      if (storedStart) {
        const start = entityOf<TransactionStart>(storedStart);
        assertSameTransactionStart(start, request);
        return { done: { start, duplicate: true } };
      }
      const chargerItem = items.get(keyOf(chargerKey));
      const connectorItem = items.get(keyOf(connectorKey));
      const idTagItem = items.get(keyOf(idTagKey));
      const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
      const idTag = idTagItem ? entityOf<IdTagRecord>(idTagItem) : undefined;
      const activeSession = connector?.activeSessionId
        ? await getSessionConsistent(table, connector.activeSessionId)
        : undefined;
      const decision = decideTransactionStart({
        start: request,
        charger: chargerItem ? entityOf<Charger>(chargerItem) : undefined,
        connector,
        idTag,
        activeSession,
      });

      transactionId ??= await allocateTransactionId(table);
      const sessionId =
        decision.kind === 'open'
          ? newSessionId()
          : decision.kind === 'attach'
            ? decision.sessionId
            : undefined;
      const start: TransactionStart = {
        chargerId: request.chargerId,
        connectorId: request.connectorId,
        at: request.at,
        requestId: request.requestId,
        idTag: request.idTag,
        meterStart: request.meterStart,
        ...(request.reservationId !== undefined ? { reservationId: request.reservationId } : {}),
        transactionId,
        idTagInfo: decision.idTagInfo,
        ...(sessionId !== undefined ? { sessionId } : {}),
        ...(decision.kind === 'refused' && decision.refusal ? { refusal: decision.refusal } : {}),
        decidedAt: clock().toISOString(),
      };
      const transaction: Transaction = {
        transactionId,
        chargerId: request.chargerId,
        connectorId: request.connectorId,
        idTag: request.idTag,
        meterStart: request.meterStart,
        startedAt: request.at,
        ...(sessionId !== undefined ? { sessionId } : {}),
      };
      const transactItems: TransactItems = [putIfAbsent(table, itemOf(entities.transactionStart, start))];
      transactItems.push(putIfAbsent(table, itemOf(entities.transaction, transaction)));
      let decidedOn: { index: number; name: string; item: Record<string, unknown> }[] = [];
      if (decision.kind === 'open' && connector && connectorItem && idTag && idTagItem && sessionId) {
        const remoteStartItem = items.get(keyOf(remoteStartKey));
        const remoteStart = remoteStartItem ? entityOf<PendingRemoteStart>(remoteStartItem) : undefined;
        // The user's remote start this start answers: its requestId rides on the session (session.authorized).
        const remoteStartRequestId = remoteStartAnswered(remoteStart, request.receivedAtMs);
        const session: Session = {
          ...newTransactionSession({
            sessionId,
            start: request,
            transactionId,
            userId: idTag.userId,
            tariff: options.tariff,
          }),
          ...(remoteStartRequestId ? { remoteStartRequestId } : {}),
        };
        transactItems.push(
          putIfAbsent(table, sessionItem(session)),
          connectorClaim(table.tableName, connector, sessionId, connectorStatusOf(connector, session)),
          tagSessionCountUp(table.tableName, request.idTag, new Date(request.at), sessionStartingTagStatuses),
          putIfAbsent(table, userSessionItem(session)),
          putIfAbsent(table, sessionListingItem(session)),
        );
        decidedOn = [
          { index: 3, name: 'connector', item: connectorItem },
          { index: 4, name: 'idTag', item: idTagItem },
        ];
        if (remoteStartRequestId)
          transactItems.push(remoteStartTaken(table, remoteStartKey, remoteStartRequestId, sessionId));
      } else if (decision.kind === 'attach' && connector) {
        transactItems.push(
          sessionTransition(table.tableName, decision.sessionId, {
            from: decision.sessionStatus,
            to: 'Charging',
            set: {
              transactionId,
              energyStartWh: request.meterStart,
              energyStartAt: request.at,
              ...(decision.sessionStatus === 'Authorized' ? { chargingStartedAt: request.at } : {}),
            },
            // A second start attaching to the same session loses here and re-reads.
            unchanged: { transactionId: undefined },
          }),
          connectorChargingFor(table, connector, decision.sessionId),
        );
      }

      return {
        items: transactItems,
        result: { start, duplicate: false },
        conditionFailed: (failed) => {
          // Index 1 is the Transaction: its id is taken (the counter wrapped), so take the next one.
          if (failed.some((condition) => condition.index === 1)) transactionId = undefined;
          assertConditionsAgreeWithDecision(
            failed,
            decidedOn,
            `decideTransactionStart (charger ${request.chargerId}, request ${request.requestId})`,
          );
          return 'reread';
        },
      };
    },
    options,
  );
}

/**
 * Marks the pending remote start as taken by this session, while it is still that request's and untaken: a newer
 * remote start, or the request's rejection or time-out meanwhile, fails it and the start is decided again.
 */
function remoteStartTaken(
  table: TableContext,
  key: { pk: string; sk: string },
  requestId: string,
  sessionId: string,
) {
  return {
    Update: {
      TableName: table.tableName,
      Key: key,
      UpdateExpression: 'SET sessionId = :sessionId',
      ConditionExpression: 'requestId = :requestId AND attribute_not_exists(sessionId)',
      ExpressionAttributeValues: { ':requestId': requestId, ':sessionId': sessionId },
    },
  };
}

/** The connector an attached session holds now shows Charging (it was Preparing while Authorized). */
function connectorChargingFor(table: TableContext, connector: Connector, sessionId: string) {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.connector(connector.chargerId, connector.connectorId),
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: 'activeSessionId = :sessionId AND faulted = :faulted',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': connectorStatusOf(connector, { sessionId, status: 'Charging' }),
        ':sessionId': sessionId,
        ':faulted': connector.faulted,
      },
    },
  };
}

async function getSessionConsistent(table: TableContext, sessionId: string): Promise<Session | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId), ConsistentRead: true }),
  );
  return Item ? entityOf<Session>(Item) : undefined;
}

export interface StopTransactionRequest extends TransactionStopFacts {
  requestId: string;
  receivedAtMs: number;
}

export interface StopTransactionResult {
  outcome: TransactionStopPlan['kind'];
  /** Present when the stop named an idTag. */
  idTagInfo?: IdTagInfo;
  sessionId?: string;
}

/**
 * Completes the session of a transaction/stop in one transaction (energy = meterStop − meterStart, its stop
 * reason, connector released, tag count − 1), recording the stop on the Transaction so a repeat changes
 * nothing. An unknown transactionId is kept as an OrphanTransactionStop. Every outcome is answered.
 */
export async function stopTransaction(
  table: TableContext,
  request: StopTransactionRequest,
  options: RetryOptions & { now?: () => Date } = {},
): Promise<StopTransactionResult> {
  const idTagInfo = request.idTag === undefined ? undefined : await readStopIdTagInfo(table, request);
  const answer = (outcome: TransactionStopPlan['kind'], sessionId?: string): StopTransactionResult => ({
    outcome,
    ...(idTagInfo ? { idTagInfo } : {}),
    ...(sessionId ? { sessionId } : {}),
  });
  const unregistered = () =>
    new BadInputError('chargerId', `charger "${request.chargerId}" is not registered`);

  return transact<StopTransactionResult>(
    table,
    `transaction stop ${request.transactionId} on ${request.chargerId}`,
    async () => {
      const transactionKey = keys.transaction(request.transactionId);
      const chargerKey = keys.charger(request.chargerId);
      const read = await batchGetConsistent(table, [transactionKey, chargerKey]);
      if (!read.get(keyOf(chargerKey))) throw unregistered();
      const Item = read.get(keyOf(transactionKey));
      const transaction = Item ? entityOf<Transaction>(Item) : undefined;
      const sessionKey = transaction?.sessionId ? keys.session(transaction.sessionId) : undefined;
      const related = sessionKey ? await batchGetConsistent(table, [sessionKey]) : new Map();
      const sessionItemRead = sessionKey ? related.get(keyOf(sessionKey)) : undefined;
      const session = sessionItemRead ? entityOf<Session>(sessionItemRead) : undefined;
      const dependents = session
        ? await batchGetConsistent(table, [
            keys.connector(session.chargerId, session.connectorId),
            keys.idTag(session.idTag),
          ])
        : new Map<string, Record<string, unknown>>();
      const connectorItem = session
        ? dependents.get(keyOf(keys.connector(session.chargerId, session.connectorId)))
        : undefined;
      const tagItem = session ? dependents.get(keyOf(keys.idTag(session.idTag))) : undefined;
      const connector = connectorItem ? entityOf<Connector>(connectorItem) : undefined;
      const plan = planTransactionStop({
        stop: request,
        transaction,
        session,
        connector,
        idTag: tagItem ? entityOf<IdTagRecord>(tagItem) : undefined,
      });

      if (plan.kind === 'duplicate') return { done: answer('duplicate', transaction?.sessionId) };
      if (plan.kind === 'orphan' || !transaction) {
        const orphan: OrphanTransactionStop = {
          chargerId: request.chargerId,
          transactionId: request.transactionId,
          requestId: request.requestId,
          meterStop: request.meterStop,
          at: request.at,
          reason: request.reason ?? DEFAULT_STOP_REASON,
          ...(request.idTag !== undefined ? { idTag: request.idTag } : {}),
          receivedAt: request.receivedAtMs,
        };
        return {
          items: [putIfAbsent(table, itemOf(entities.orphanTransactionStop, orphan))],
          result: answer('orphan'),
          conditionFailed: () => ({ done: answer('orphan') }),
        };
      }

      const items: TransactItems = [recordStop(table, request)];
      if (plan.kind === 'complete' && session) {
        items.push(
          sessionTransition(table.tableName, session.sessionId, {
            from: session.status,
            to: 'Completed',
            set: { ...plan.completion },
          }),
        );
        if (plan.releaseConnector && connector && plan.connectorStatus) {
          // The stop's register is the connector's latest unless a newer reading already moved it.
          const stopIsLatest = !connector.lastReadingAt || connector.lastReadingAt <= request.at;
          items.push(
            connectorRelease(
              table.tableName,
              connector,
              session.sessionId,
              plan.connectorStatus,
              stopIsLatest ? { wh: request.meterStop, at: request.at } : undefined,
            ),
          );
        }
        if (plan.decrementTagCount) items.push(tagSessionCountDown(table.tableName, session.idTag));
      }
      return {
        items,
        result: answer(plan.kind, transaction.sessionId),
        conditionFailed: () => 'reread',
      };
    },
    options,
  );
}

/** The stop is recorded once: a repeat finds stoppedAt and changes nothing. */
function recordStop(table: TableContext, stop: StopTransactionRequest) {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.transaction(stop.transactionId),
      UpdateExpression:
        'SET stopRequestId = :requestId, meterStop = :meterStop, stoppedAt = :stoppedAt, stopReason = :reason',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(stoppedAt)',
      ExpressionAttributeValues: {
        ':requestId': stop.requestId,
        ':meterStop': stop.meterStop,
        ':stoppedAt': stop.at,
        ':reason': stop.reason ?? DEFAULT_STOP_REASON,
      },
    },
  };
}

async function readStopIdTagInfo(table: TableContext, stop: StopTransactionRequest): Promise<IdTagInfo> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.idTag(stop.idTag as string) }),
  );
  return stopIdTagInfoOf(Item ? entityOf<IdTagRecord>(Item) : undefined, new Date(stop.at));
}
