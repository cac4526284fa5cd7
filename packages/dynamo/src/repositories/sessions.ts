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
