import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '@evcharge/domain';
import { keys } from '../keys.js';
import { entityOf, type TableContext } from '../table-context.js';

export async function getSession(table: TableContext, sessionId: string): Promise<Session | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
  );
  return Item ? entityOf<Session>(Item) : undefined;
}

/**
 * The Session item as it is stored: its key, its entry in its user's list (gsi1) and, while it waits for a plug,
 * its armed expiry deadline. The one way a session item is built, by the service that opens it and by tests.
 */
export function sessionItem(session: Session, expiry?: { duePk: string; dueAt: number }) {
  return {
    ...keys.session(session.sessionId),
    ...keys.userSessions(session.userId, session.startedAt, session.sessionId),
    entityType: 'Session',
    ...session,
    ...expiry,
  };
}
