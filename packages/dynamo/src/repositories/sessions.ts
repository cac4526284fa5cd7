import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '@evcharge/domain';
import { GSI1, keys } from '../keys.js';
import { entityOf, type TableContext } from '../table-context.js';

export async function getSession(table: TableContext, sessionId: string): Promise<Session | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
  );
  return Item ? entityOf<Session>(Item) : undefined;
}

/** A user's sessions, newest first (gsi1 sort key starts with startedAt). */
export async function listUserSessions(table: TableContext, userId: string, limit = 50): Promise<Session[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':user': keys.userSessionsPartition(userId), ':prefix': 'SESSION#' },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map((item) => entityOf<Session>(item));
}
