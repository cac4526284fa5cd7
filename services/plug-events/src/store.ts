import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  BadInputError,
  type Charger,
  type ChargerStatusRecord,
  type Connector,
  type ConnectorEvent,
  type Session,
} from '@evcharge/domain';
import {
  batchGetConsistent,
  entities,
  entityOf,
  itemOf,
  keyOf,
  keys,
  type RetryOptions,
  sessionTransition,
  type TableContext,
  type TransactItems,
  tagSessionCountDown,
  transact,
} from '@evcharge/dynamo';
import {
  decideConnectorStatus,
  decidePlugEvent,
  type IgnoredPlugReason,
  needsPlugHistory,
  type PlugDecision,
  type PlugEventFacts,
  refusesNewSessions,
  type SessionUpdate,
  type StatusDecision,
  type StatusFacts,
  sessionUpdateFrom,
  statusOrder,
  statusRecordOf,
} from './rules.js';

type StatusDecisionConnector = Extract<StatusDecision, { outcome: 'applied' }>['connector'];

// Access patterns of the plug-events service:
// | pattern                                 | key / condition                                                          |
// | --------------------------------------- | ------------------------------------------------------------------------ |
// | read a connector and its active session | Get keys.connector, then Get keys.session(activeSessionId), consistent   |
// | record one plug event (one transaction) | Put ConnectorEvent (attribute_not_exists: a messageId counts once)       |
// |                                         | + Update Connector (plugEventSeq, activeSessionId, plugged, faulted as   |
// |                                         | read) [+ Update Session (status = sessionUpdateFrom: the status the      |
// |                                         | decision moves it from)] [+ IdTag activeSessionCount − 1 (> 0)]          |
// | history around a session (older events) | pk = CONNHIST#<chargerId>#<connector>, sk ≥ startedAt − 10 min           |
// | record a v2 status on a connector       | Get Connector [+ its Session]; one Update Connector (newer               |
// |                                         | statusAt/statusReceivedAt, facts as read); older: no write               |
// | record a v2 status on connector 0       | BatchGet CHARGER#<id>/STATUS + the charger; Put ChargerStatus (newer)    |
// No write here refreshes liveness: that is the connection's and the heartbeat's (heartbeat service).
// The connector history newest first (listConnectorHistory) stays in @evcharge/dynamo: tools read it too.

/** Device clocks may be off by minutes; history this far before a session's start is read to replay it. */
const HISTORY_LOOKBACK_MS = 10 * 60 * 1000;
const HISTORY_MAX_PAGES = 10;
// Fixed position in the transaction, to read cancellation reasons.
const HISTORY_ITEM = 0;

export interface PlugEventInput extends PlugEventFacts {
  chargerId: string;
  connectorId: number;
}

export type RecordPlugEventOptions = RetryOptions;

export type PlugEventResult =
  | { outcome: 'duplicate'; attempts: number }
  | {
      outcome: 'applied' | 'ignored';
      reason?: IgnoredPlugReason;
      connectorStatus: Connector['status'];
      sessionUpdate?: SessionUpdate;
      /** The tag's count was already 0 when its session completed (a data fault, logged by the caller). */
      idTagCountWasZero?: boolean;
      attempts: number;
    };

/**
 * Records a plug event: one read (the connector, then its active session), one transaction. A failed
 * condition means a concurrent change (another plug event, an authorization, the expiry sweeper, a
 * meter reading): re-read and re-decide. The same messageId a second time finds its history item and
 * changes nothing.
 */
export async function recordPlugEvent(
  table: TableContext,
  input: PlugEventInput,
  options: RecordPlugEventOptions = {},
): Promise<PlugEventResult> {
  let skipIdTagCount = false;
  let attempts = 0;
  const what = `plug event ${input.messageId} on ${input.chargerId}/${input.connectorId}`;
  return transact<PlugEventResult>(
    table,
    what,
    async (attempt) => {
      attempts = attempt;
      const { connector, session } = await readPlugState(table, input);
      const history = needsPlugHistory(connector, input, session)
        ? await readSessionHistory(table, input, session as Session)
        : undefined;
      const decision = decidePlugEvent({ connector, session, event: input, history });
      const decrementIdTag = decision.sessionUpdate?.to === 'Completed' && !skipIdTagCount;
      const items = plugEventTransaction(table, input, connector, session, decision, decrementIdTag);
      return {
        items,
        result: {
          outcome: decision.outcome,
          ...(decision.reason ? { reason: decision.reason } : {}),
          connectorStatus: decision.connector.status,
          ...(decision.sessionUpdate ? { sessionUpdate: decision.sessionUpdate } : {}),
          ...(skipIdTagCount ? { idTagCountWasZero: true } : {}),
          attempts: attempt,
        },
        conditionFailed: (failed) => {
          const failedAt = new Set(failed.map((condition) => condition.index));
          if (failedAt.has(HISTORY_ITEM)) return { done: { outcome: 'duplicate', attempts } };
          // Never block a completion on a count that is already 0: complete it without the decrement.
          if (decrementIdTag && failedAt.size === 1 && failedAt.has(items.length - 1)) skipIdTagCount = true;
          return 'reread';
        },
      };
    },
    options,
  );
}

interface PlugState {
  connector: Connector;
  session?: Session;
}

async function readPlugState(
  table: TableContext,
  input: { chargerId: string; connectorId: number },
): Promise<PlugState> {
  const { Item: connectorItem } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.connector(input.chargerId, input.connectorId),
      ConsistentRead: true,
    }),
  );
  if (!connectorItem) {
    const { Item: chargerItem } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.charger(input.chargerId) }),
    );
    if (!chargerItem) throw new BadInputError('chargerId', `charger "${input.chargerId}" is not registered`);
    throw new BadInputError(
      'connectorId',
      `charger "${input.chargerId}" has no connector ${input.connectorId}`,
    );
  }
  const connector = entityOf<Connector>(connectorItem);
  if (!connector.activeSessionId) return { connector };
  const { Item: sessionItem } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.session(connector.activeSessionId),
      ConsistentRead: true,
    }),
  );
  return sessionItem ? { connector, session: entityOf<Session>(sessionItem) } : { connector };
}

/** The connector's events from shortly before the session started: enough to replay the session. */
async function readSessionHistory(
  table: TableContext,
  input: PlugEventInput,
  session: Session,
): Promise<PlugEventFacts[]> {
  const from = new Date(Date.parse(session.startedAt) - HISTORY_LOOKBACK_MS).toISOString();
  const events: PlugEventFacts[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
    const { Items = [], LastEvaluatedKey } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: {
          ':pk': keys.connectorHistoryPartition(input.chargerId, input.connectorId),
          ':from': from,
        },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of Items) {
      const recorded = entityOf<ConnectorEvent>(item);
      events.push({
        messageId: recorded.messageId,
        event: recorded.event,
        at: recorded.at,
        receivedAt: Date.parse(recorded.receivedAt),
      });
    }
    startKey = LastEvaluatedKey;
    if (!startKey) break;
  }
  return events;
}

function plugEventTransaction(
  table: TableContext,
  input: PlugEventInput,
  connector: Connector,
  session: Session | undefined,
  decision: PlugDecision,
  decrementIdTag: boolean,
): TransactItems {
  const update = decision.sessionUpdate;
  const completed = update?.to === 'Completed' && session ? session : undefined;
  const historyItem: ConnectorEvent = {
    chargerId: input.chargerId,
    connectorId: input.connectorId,
    messageId: input.messageId,
    event: input.event,
    at: input.at,
    receivedAt: new Date(input.receivedAt).toISOString(),
    outcome: decision.outcome,
    ...(decision.reason ? { reason: decision.reason } : {}),
    connectorStatus: decision.connector.status,
    ...(session ? { sessionId: session.sessionId } : {}),
    ...(update ? { sessionFrom: update.from, sessionTo: update.to } : {}),
  };
  const items: TransactItems = [
    {
      Put: {
        TableName: table.tableName,
        Item: itemOf(entities.connectorEvent, historyItem),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    connectorUpdate(table, connector, decision, completed),
  ];
  if (update && session) items.push(sessionUpdateItem(table, session, update));
  if (completed && decrementIdTag) items.push(tagSessionCountDown(table.tableName, completed.idTag));
  return items;
}

/**
 * Conditioned on the connector as read: the event sequence (every plug event bumps it), the session it
 * holds (authorization sets it, the sweeper clears it), and plugged/faulted. The session is released in
 * this same transaction when it completes, with its latest register for the next session's start.
 */
function connectorUpdate(
  table: TableContext,
  connector: Connector,
  decision: PlugDecision,
  completed: Session | undefined,
) {
  const next = decision.connector;
  const values: Record<string, unknown> = {
    ':plugged': next.plugged,
    ':status': next.status,
    ':nextSeq': (connector.plugEventSeq ?? 0) + 1,
    ':wasPlugged': connector.plugged,
    ':wasFaulted': connector.faulted,
  };
  const set = ['plugged = :plugged', '#status = :status', 'plugEventSeq = :nextSeq'];
  const remove: string[] = [];
  const conditions = [
    'attribute_exists(pk)',
    'plugged = :wasPlugged',
    'faulted = :wasFaulted',
    unavailableAsRead(connector, values),
  ];

  if (next.lastEventAt !== undefined && next.lastEventReceivedAt !== undefined) {
    set.push('lastEventAt = :lastEventAt', 'lastEventReceivedAt = :lastEventReceivedAt');
    values[':lastEventAt'] = next.lastEventAt;
    values[':lastEventReceivedAt'] = next.lastEventReceivedAt;
  }
  if (connector.plugEventSeq === undefined) conditions.push('attribute_not_exists(plugEventSeq)');
  else {
    conditions.push('plugEventSeq = :seq');
    values[':seq'] = connector.plugEventSeq;
  }
  if (connector.activeSessionId === undefined) conditions.push('attribute_not_exists(activeSessionId)');
  else {
    conditions.push('activeSessionId = :heldSessionId');
    values[':heldSessionId'] = connector.activeSessionId;
  }
  if (next.activeSessionId === undefined && connector.activeSessionId !== undefined) {
    remove.push('activeSessionId');
  }
  if (completed?.latestRegisterWh !== undefined) {
    set.push('lastRegisterWh = :lastRegisterWh');
    values[':lastRegisterWh'] = completed.latestRegisterWh;
    if (completed.lastReadingAt !== undefined) {
      set.push('lastReadingAt = :lastReadingAt');
      values[':lastReadingAt'] = completed.lastReadingAt;
    }
  }
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.connector(connector.chargerId, connector.connectorId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Conditioned on the status the decision moves the session from (the status read; the sweeper may have
 * expired it since), and for a completion its latest reading and its start, so a reading that lands first
 * is one the totals come from.
 * Leaving Authorized disarms the connection timeout (REMOVE duePk, dueAt).
 */
function sessionUpdateItem(table: TableContext, session: Session, update: SessionUpdate) {
  const completes = update.to === 'Completed';
  return sessionTransition(table.tableName, session.sessionId, {
    from: sessionUpdateFrom(session, update),
    to: update.to,
    set: {
      chargingStartedAt: update.chargingStartedAt,
      ...(completes
        ? {
            endedAt: update.endedAt,
            durationS: update.durationS,
            energyWh: update.energyWh,
            costMinor: update.costMinor,
          }
        : {}),
    },
    // A reading or a late pre-session reading (metering) may move them: the totals come from the ones read.
    ...(completes
      ? { unchanged: { lastReadingAt: session.lastReadingAt, energyStartWh: session.energyStartWh } }
      : {}),
  });
}

/** The status is derived from `unavailable` too (a v2 status sets it): a write conditions on it as read. */
function unavailableAsRead(
  connector: Pick<Connector, 'unavailable'>,
  values: Record<string, unknown>,
): string {
  if (connector.unavailable) {
    values[':wasUnavailable'] = true;
    return 'unavailable = :wasUnavailable';
  }
  values[':notUnavailable'] = false;
  return '(attribute_not_exists(unavailable) OR unavailable = :notUnavailable)';
}

// ---- v2 status (StatusNotification) -----------------------------------------------------------------

export interface StatusInput extends StatusFacts {
  chargerId: string;
  /** 0 is the whole charger. */
  connectorId: number;
}

export type StatusResult =
  | {
      outcome: 'applied';
      target: 'charger' | 'connector';
      connectorStatus?: Connector['status'];
      fault?: 'raised' | 'cleared';
      attempts: number;
    }
  | { outcome: 'ignored'; target: 'charger' | 'connector'; reason: 'older' | 'duplicate'; attempts: number };

/**
 * The table's half of `statusOrder`: the stored status is older by device time, then receive time, and is
 * not this message.
 */
function newerStatusCondition(status: StatusFacts, values: Record<string, unknown>): string {
  values[':statusAt'] = status.at;
  values[':statusReceivedAt'] = status.receivedAt;
  values[':statusMessageId'] = status.messageId;
  return '(attribute_not_exists(statusAt) OR statusAt < :statusAt OR (statusAt = :statusAt AND statusReceivedAt < :statusReceivedAt)) AND (attribute_not_exists(statusMessageId) OR statusMessageId <> :statusMessageId)';
}

/**
 * Records a v2 status: connector 0 on the charger's STATUS item, any other connector on the connector item
 * (read, decide with `decideConnectorStatus`, one write). An older or repeated status writes nothing. A lost
 * race (another status, a plug event, an authorization) re-reads.
 */
export async function recordStatus(
  table: TableContext,
  input: StatusInput,
  options: RetryOptions = {},
): Promise<StatusResult> {
  const what = `status ${input.messageId} on ${input.chargerId}/${input.connectorId}`;
  return input.connectorId === 0
    ? recordChargerStatus(table, input, what, options)
    : recordConnectorStatus(table, input, what, options);
}

const notRegistered = (chargerId: string) =>
  new BadInputError('chargerId', `charger "${chargerId}" is not registered`);

async function recordChargerStatus(
  table: TableContext,
  input: StatusInput,
  what: string,
  options: RetryOptions,
): Promise<StatusResult> {
  const statusKey = keys.chargerStatus(input.chargerId);
  const chargerKey = keys.charger(input.chargerId);
  return transact<StatusResult>(
    table,
    what,
    async (attempt) => {
      const read = await batchGetConsistent(table, [statusKey, chargerKey]);
      if (!read.get(keyOf(chargerKey))) throw notRegistered(input.chargerId);
      const Item = read.get(keyOf(statusKey));
      const previous = Item ? entityOf<ChargerStatusRecord>(Item) : undefined;
      const order = statusOrder(previous, input);
      if (order !== 'newer') {
        return { done: { outcome: 'ignored', target: 'charger', reason: order, attempts: attempt } };
      }
      const values: Record<string, unknown> = {};
      const record: ChargerStatusRecord = { chargerId: input.chargerId, ...statusRecordOf(input) };
      // Only a change of the charger's refusal touches its connectors (rare), so the hot path never does.
      const refuses = refusesNewSessions(input.status);
      const refused = previous ? refusesNewSessions(previous.ocppStatus) : false;
      const connectorFlags =
        refuses === refused ? [] : await chargerUnavailableUpdates(table, input.chargerId, refuses);
      return {
        items: [
          {
            Put: {
              TableName: table.tableName,
              Item: itemOf(entities.chargerStatus, record),
              ConditionExpression: newerStatusCondition(input, values),
              ExpressionAttributeValues: values,
            },
          },
          ...connectorFlags,
        ],
        result: { outcome: 'applied', target: 'charger', attempts: attempt },
        conditionFailed: () => 'reread',
      };
    },
    options,
  );
}

/** Sets `chargerUnavailable` on each of the charger's connectors: the claim condition refuses them while it holds. */
async function chargerUnavailableUpdates(table: TableContext, chargerId: string, unavailable: boolean) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  if (!Item) throw notRegistered(chargerId);
  const { connectorCount } = entityOf<Charger>(Item);
  return Array.from({ length: connectorCount }, (_, index) => ({
    Update: {
      TableName: table.tableName,
      Key: keys.connector(chargerId, index + 1),
      UpdateExpression: 'SET chargerUnavailable = :unavailable',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':unavailable': unavailable },
    },
  }));
}

async function recordConnectorStatus(
  table: TableContext,
  input: StatusInput,
  what: string,
  options: RetryOptions,
): Promise<StatusResult> {
  return transact<StatusResult>(
    table,
    what,
    async (attempt) => {
      const { connector, session } = await readPlugState(table, input);
      const decision = decideConnectorStatus({
        connector,
        session: session ? { sessionId: session.sessionId, status: session.status } : undefined,
        status: input,
      });
      if (decision.outcome === 'ignored') {
        return {
          done: { outcome: 'ignored', target: 'connector', reason: decision.reason, attempts: attempt },
        };
      }
      return {
        items: [connectorStatusUpdate(table, connector, input, decision.connector)],
        result: {
          outcome: 'applied',
          target: 'connector',
          connectorStatus: decision.connector.status,
          ...(decision.fault ? { fault: decision.fault } : {}),
          attempts: attempt,
        },
        conditionFailed: () => 'reread',
      };
    },
    options,
  );
}

/**
 * Newer than the stored status (`newerStatusCondition`), and the facts the derived status comes from as
 * read: plugged, faulted, unavailable, the plug events recorded and the session held.
 */
function connectorStatusUpdate(
  table: TableContext,
  connector: Connector,
  input: StatusInput,
  next: StatusDecisionConnector,
) {
  const record = statusRecordOf(input);
  const values: Record<string, unknown> = {
    ':plugged': next.plugged,
    ':faulted': next.faulted,
    ':unavailable': next.unavailable ?? false,
    ':status': next.status,
    ':ocppStatus': record.ocppStatus,
    ':errorCode': record.errorCode,
    ':wasPlugged': connector.plugged,
    ':wasFaulted': connector.faulted,
  };
  const conditions = [
    'attribute_exists(pk)',
    newerStatusCondition(input, values),
    'plugged = :wasPlugged',
    'faulted = :wasFaulted',
    unavailableAsRead(connector, values),
  ];
  if (connector.plugEventSeq === undefined) conditions.push('attribute_not_exists(plugEventSeq)');
  else {
    conditions.push('plugEventSeq = :seq');
    values[':seq'] = connector.plugEventSeq;
  }
  if (connector.activeSessionId === undefined) conditions.push('attribute_not_exists(activeSessionId)');
  else {
    conditions.push('activeSessionId = :heldSessionId');
    values[':heldSessionId'] = connector.activeSessionId;
  }
  const set = [
    'plugged = :plugged',
    'faulted = :faulted',
    'unavailable = :unavailable',
    '#status = :status',
    'ocppStatus = :ocppStatus',
    'errorCode = :errorCode',
    'statusAt = :statusAt',
    'statusReceivedAt = :statusReceivedAt',
    'statusMessageId = :statusMessageId',
  ];
  const remove: string[] = [];
  for (const field of ['info', 'vendorId', 'vendorErrorCode'] as const) {
    const value = record[field];
    if (value === undefined) remove.push(field);
    else {
      set.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.connector(connector.chargerId, connector.connectorId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}
