import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Connector, Session, Tariff } from '@evcharge/domain';
import {
  cancellationReasons,
  getConnector,
  getIdTag,
  getSession,
  keys,
  sessionItem,
  type TableContext,
} from '@evcharge/dynamo';
import { sessionTotalsOf } from '../../src/rules.js';

// The session lifecycle other services own (charge-authorization starts a session, plug-events charges and
// completes it), reduced to the items metering reads, and written with the conditions those services put
// on them: a write that loses a race to a reading re-reads and decides again, so the races stay real.

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const MAX_ATTEMPTS = 5;

/** One transaction; false when a condition failed or it conflicted (the caller re-reads). */
async function commit(table: TableContext, items: TransactItems): Promise<boolean> {
  try {
    await table.client.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (cancellationReasons(error).length === 0) throw error;
    return false;
  }
}

/** `#name = :name` for the value read, `attribute_not_exists` when it was absent. */
function unchanged(name: string, value: unknown, values: Record<string, unknown>): string {
  if (value === undefined) return `attribute_not_exists(${name})`;
  values[`:was_${name}`] = value;
  return `${name} = :was_${name}`;
}

export interface SeedAuthorization {
  chargerId: string;
  connectorId: number;
  /** The auth request's id, also the session's: a redelivered request finds its session and changes nothing. */
  requestId: string;
  idTag: string;
  receivedAtMs: number;
  tariff: Tariff;
}

/**
 * What CHARGE-AUTHORIZATION does on an Accepted request: the session, started from the connector's register
 * as read, and the connector claimed, conditioned on that register (a reading moving it makes it re-read).
 * Undefined when the connector is taken or faulted, or the tag is unusable (a rejection: no session).
 */
export async function authorizeSession(
  table: TableContext,
  auth: SeedAuthorization,
): Promise<string | undefined> {
  const sessionId = auth.requestId;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (await getSession(table, sessionId)) return sessionId;
    const connector = await getConnector(table, auth.chargerId, auth.connectorId);
    if (!connector) throw new Error(`no connector ${auth.chargerId}/${auth.connectorId}: seed the charger`);
    const tag = await getIdTag(table, auth.idTag);
    if (tag?.status !== 'Accepted' || connector.activeSessionId || connector.faulted) return undefined;

    const startedAt = new Date(auth.receivedAtMs).toISOString();
    const session: Session = {
      sessionId,
      chargerId: auth.chargerId,
      connectorId: auth.connectorId,
      userId: tag.userId,
      idTag: auth.idTag,
      status: connector.plugged ? 'Charging' : 'Authorized',
      startedAt,
      ...(connector.plugged ? { chargingStartedAt: startedAt } : {}),
      ...(connector.lastRegisterWh === undefined ? {} : { energyStartWh: connector.lastRegisterWh }),
      energyWh: 0,
      costMinor: 0,
      pricePerKwhMinor: auth.tariff.pricePerKwhMinor,
      currency: auth.tariff.currency,
    };
    const values: Record<string, unknown> = { ':sessionId': sessionId, ':plugged': connector.plugged };
    const conditions = [
      'attribute_not_exists(activeSessionId)',
      'plugged = :plugged',
      unchanged('lastRegisterWh', connector.lastRegisterWh, values),
    ];
    const committed = await commit(table, [
      {
        Put: {
          TableName: table.tableName,
          Item: sessionItem(session),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: table.tableName,
          Key: keys.connector(auth.chargerId, auth.connectorId),
          UpdateExpression: 'SET activeSessionId = :sessionId',
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
        },
      },
    ]);
    if (committed) return sessionId;
  }
  throw new Error(`auth request ${auth.requestId} still racing after ${MAX_ATTEMPTS} attempts`);
}

export interface SeedPlugEvent {
  chargerId: string;
  connectorId: number;
  messageId: string;
  event: 'plugged' | 'unplugged';
  at: string;
  receivedAt: number;
}

/** Device time, then receive time: only an event after the last applied one moves anything. */
function isNewer(plug: SeedPlugEvent, connector: Connector): boolean {
  if (connector.lastEventAt === undefined) return true;
  const byAt = Date.parse(plug.at) - Date.parse(connector.lastEventAt);
  return byAt !== 0 ? byAt > 0 : plug.receivedAt > (connector.lastEventReceivedAt ?? 0);
}

/**
 * What PLUG-EVENTS does with a plug event that arrives in order: plugging charges an Authorized session;
 * unplugging completes a Charging one with its totals, releases the connector and copies the session's
 * latest register onto it. The session's write is conditioned on its status, latest reading and start as
 * read, so a reading landing first is one the totals come from. An event that is not newer than the last
 * applied one (a redelivery, a late event) changes nothing.
 */
export async function recordPlug(table: TableContext, plug: SeedPlugEvent): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const connector = await getConnector(table, plug.chargerId, plug.connectorId);
    if (!connector) throw new Error(`no connector ${plug.chargerId}/${plug.connectorId}: seed the charger`);
    if (!isNewer(plug, connector)) return;
    const held = connector.activeSessionId ? await getSession(table, connector.activeSessionId) : undefined;
    const plugged = plug.event === 'plugged';
    const charges = plugged && !connector.plugged && held?.status === 'Authorized';
    const completes = !plugged && connector.plugged && held?.status === 'Charging';

    const values: Record<string, unknown> = {
      ':plugged': plugged,
      ':lastEventAt': plug.at,
      ':lastEventReceivedAt': plug.receivedAt,
      ':nextSeq': (connector.plugEventSeq ?? 0) + 1,
    };
    const set = [
      'plugged = :plugged',
      'lastEventAt = :lastEventAt',
      'lastEventReceivedAt = :lastEventReceivedAt',
      'plugEventSeq = :nextSeq',
    ];
    const conditions = [
      unchanged('plugEventSeq', connector.plugEventSeq, values),
      unchanged('activeSessionId', connector.activeSessionId, values),
    ];
    if (completes && held.latestRegisterWh !== undefined) {
      set.push('lastRegisterWh = :lastRegisterWh');
      values[':lastRegisterWh'] = held.latestRegisterWh;
      if (held.lastReadingAt !== undefined) {
        set.push('lastReadingAt = :lastReadingAt');
        values[':lastReadingAt'] = held.lastReadingAt;
      }
    }
    const items: TransactItems = [
      {
        Update: {
          TableName: table.tableName,
          Key: keys.connector(plug.chargerId, plug.connectorId),
          UpdateExpression: `SET ${set.join(', ')}${completes ? ' REMOVE activeSessionId' : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (held && (charges || completes)) items.push(sessionTransition(table, held, plug, completes));
    if (await commit(table, items)) return;
  }
  throw new Error(`plug event ${plug.messageId} still racing after ${MAX_ATTEMPTS} attempts`);
}

function sessionTransition(table: TableContext, session: Session, plug: SeedPlugEvent, completes: boolean) {
  const values: Record<string, unknown> = { ':from': session.status };
  const conditions = ['#status = :from'];
  let set: string[];
  if (completes) {
    const knownEnds = session.latestRegisterWh !== undefined && session.energyStartWh !== undefined;
    const totals = knownEnds
      ? sessionTotalsOf(session, session)
      : { energyWh: session.energyWh, costMinor: session.costMinor };
    set = ['#status = :to', 'endedAt = :endedAt', 'energyWh = :energyWh', 'costMinor = :costMinor'];
    Object.assign(values, {
      ':to': 'Completed',
      ':endedAt': new Date(plug.receivedAt).toISOString(),
      ':energyWh': totals.energyWh,
      ':costMinor': totals.costMinor,
    });
    conditions.push(
      unchanged('lastReadingAt', session.lastReadingAt, values),
      unchanged('energyStartWh', session.energyStartWh, values),
    );
  } else {
    const chargingStartedAt = Math.max(Date.parse(session.startedAt), plug.receivedAt);
    set = ['#status = :to', 'chargingStartedAt = :chargingStartedAt'];
    Object.assign(values, {
      ':to': 'Charging',
      ':chargingStartedAt': new Date(chargingStartedAt).toISOString(),
    });
  }
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.session(session.sessionId),
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}
