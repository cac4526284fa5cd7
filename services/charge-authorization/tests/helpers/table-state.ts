import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthAttempt, Session } from '@evcharge/domain';
import { entityOf, keys, type TableContext } from '@evcharge/dynamo';

/** Every item of one entity type (tests only: a table per test file keeps this small). */
export async function scanEntities<Entity>(table: TableContext, entityType: string): Promise<Entity[]> {
  const items: Entity[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'entityType = :entityType',
        ExpressionAttributeValues: { ':entityType': entityType },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []).map((item) => entityOf<Entity>(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function sessionsOn(table: TableContext, chargerId: string): Promise<Session[]> {
  return (await scanEntities<Session>(table, 'Session')).filter((session) => session.chargerId === chargerId);
}

export async function attemptsOf(table: TableContext, chargerId: string): Promise<AuthAttempt[]> {
  return (await scanEntities<AuthAttempt>(table, 'AuthAttempt')).filter(
    (attempt) => attempt.chargerId === chargerId,
  );
}

/** Sets connector facts the way PLUG-EVENTS would (tests only). */
export async function setConnector(
  table: TableContext,
  chargerId: string,
  connectorId: number,
  facts: { plugged?: boolean; faulted?: boolean; lastRegisterWh?: number },
): Promise<void> {
  const names = Object.keys(facts);
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.connector(chargerId, connectorId),
      UpdateExpression: `SET ${names.map((name) => `${name} = :${name}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(
        names.map((name) => [`:${name}`, facts[name as keyof typeof facts]]),
      ),
    }),
  );
}
