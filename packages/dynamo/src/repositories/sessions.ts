import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Session, SessionStatus } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { itemOf } from '../entity.js';
import { entityOf, type TableContext } from '../table-context.js';

export async function getSession(table: TableContext, sessionId: string): Promise<Session | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
  );
  return Item ? entityOf<Session>(Item) : undefined;
}

/**
 * The Session item as it is stored: its key and, while it waits for a plug, its armed expiry deadline (the
 * shard follows from the Session definition). The one way a session item is built, by the service that
 * opens it and by tests; it is opened together with its `userSessionItem`.
 */
export function sessionItem(session: Session, expiry?: { dueAt: number }) {
  return itemOf(entities.session, session, expiry);
}

/** The session's entry in the day's list (gsi1) the operators read, put in the transaction that opens it. */
export function sessionListingItem(session: Pick<Session, 'sessionId' | 'startedAt'>) {
  return itemOf(entities.sessionListing, { sessionId: session.sessionId, startedAt: session.startedAt });
}

/**
 * The session's entry in its user's list (gsi1), put in the transaction that opens the session; its insert
 * announces the opening (`session.authorized`).
 */
export function userSessionItem(
  session: Pick<
    Session,
    'sessionId' | 'userId' | 'startedAt' | 'chargerId' | 'connectorId' | 'remoteStartRequestId'
  >,
) {
  return itemOf(entities.userSession, {
    sessionId: session.sessionId,
    userId: session.userId,
    startedAt: session.startedAt,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    ...(session.remoteStartRequestId ? { remoteStartRequestId: session.remoteStartRequestId } : {}),
  });
}

export interface SessionMove {
  from: SessionStatus;
  to: SessionStatus;
  /** Attributes the move sets; undefined ones are left alone. */
  set?: Record<string, unknown>;
  /** Attributes that must still hold the value read (undefined: still absent), e.g. the totals' inputs. */
  unchanged?: Record<string, unknown>;
}

/**
 * The one way a session moves between states: only from the status it was read in, and with its expiry
 * deadline disarmed, since only an Authorized session waits for a plug and no move leads back to it.
 */
export function sessionTransition(tableName: string, sessionId: string, move: SessionMove) {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':from': move.from, ':to': move.to };
  const set = ['#status = :to'];
  const conditions = ['#status = :from'];
  for (const [name, value] of Object.entries(move.set ?? {})) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    set.push(`#${name} = :${name}`);
  }
  for (const [name, value] of Object.entries(move.unchanged ?? {})) {
    names[`#${name}`] = name;
    if (value === undefined) conditions.push(`attribute_not_exists(#${name})`);
    else {
      values[`:was_${name}`] = value;
      conditions.push(`#${name} = :was_${name}`);
    }
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.session(sessionId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE duePk, dueAt`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
