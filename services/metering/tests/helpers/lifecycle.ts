import type { Connector, Session, Tariff } from '@evcharge/domain';
import {
  connectorClaim,
  getConnector,
  getIdTag,
  getSession,
  keys,
  sessionItem,
  sessionTransition,
  type TableContext,
  type TransactItems,
  transact,
} from '@evcharge/dynamo';
import { sessionTotalsOf } from '../../src/rules.js';

// The session lifecycle other services own (charge-authorization starts a session, plug-events charges and
// completes it), reduced to the items metering reads, and written with the conditions those services put
// on them: a write that loses a race to a reading re-reads and decides again, so the races stay real.

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
  return transact<string | undefined>(table, `auth request ${auth.requestId}`, async () => {
    if (await getSession(table, sessionId)) return { done: sessionId };
    const connector = await getConnector(table, auth.chargerId, auth.connectorId);
    if (!connector) throw new Error(`no connector ${auth.chargerId}/${auth.connectorId}: seed the charger`);
    const tag = await getIdTag(table, auth.idTag);
    if (tag?.status !== 'Accepted' || connector.activeSessionId || connector.faulted)
      return { done: undefined };

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
    const connectorStatus = connector.plugged ? 'Charging' : 'Preparing';
    return {
      items: [
        {
          Put: {
            TableName: table.tableName,
            Item: sessionItem(session),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        connectorClaim(table.tableName, connector, sessionId, connectorStatus),
      ],
      result: sessionId,
    };
  });
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
  await transact<void>(table, `plug event ${plug.messageId}`, async () => {
    const connector = await getConnector(table, plug.chargerId, plug.connectorId);
    if (!connector) throw new Error(`no connector ${plug.chargerId}/${plug.connectorId}: seed the charger`);
    if (!isNewer(plug, connector)) return { done: undefined };
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
    if (held && (charges || completes)) items.push(sessionMove(table, held, plug, completes));
    return { items, result: undefined };
  });
}

function sessionMove(table: TableContext, session: Session, plug: SeedPlugEvent, completes: boolean) {
  if (!completes) {
    const chargingStartedAt = Math.max(Date.parse(session.startedAt), plug.receivedAt);
    return sessionTransition(table.tableName, session.sessionId, {
      from: session.status,
      to: 'Charging',
      set: { chargingStartedAt: new Date(chargingStartedAt).toISOString() },
    });
  }
  const knownEnds = session.latestRegisterWh !== undefined && session.energyStartWh !== undefined;
  const totals = knownEnds
    ? sessionTotalsOf(session, session)
    : { energyWh: session.energyWh, costMinor: session.costMinor };
  return sessionTransition(table.tableName, session.sessionId, {
    from: session.status,
    to: 'Completed',
    set: { endedAt: new Date(plug.receivedAt).toISOString(), ...totals },
    unchanged: { lastReadingAt: session.lastReadingAt, energyStartWh: session.energyStartWh },
  });
}
