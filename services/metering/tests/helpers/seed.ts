import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '@evcharge/domain';
import { keys, registerCharger, sessionItem, type TableContext } from '@evcharge/dynamo';

// State other services own (chargers, sessions, the connector's active session), written the way
// ITEMS.md describes it, so metering is tested against the items it really meets.

export async function seedCharger(table: TableContext, chargerId: string, connectorCount = 2): Promise<void> {
  await registerCharger(table, { chargerId, connectorCount, now: new Date('2026-11-25T05:00:00.000Z') });
}

/** A session as CHARGE-AUTHORIZATION writes it, and the connector pointing at it while it is active. */
export async function seedSession(table: TableContext, session: Session): Promise<Session> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: sessionItem(session),
    }),
  );
  if (session.status === 'Authorized' || session.status === 'Charging') {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.connector(session.chargerId, session.connectorId),
        UpdateExpression: 'SET activeSessionId = :sessionId',
        ExpressionAttributeValues: { ':sessionId': session.sessionId },
      }),
    );
  }
  return session;
}

/** What PLUG-EVENTS does on unplug, reduced to what metering sees: the connector released. */
export async function releaseConnector(table: TableContext, chargerId: string, connectorId: number) {
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.connector(chargerId, connectorId),
      UpdateExpression: 'REMOVE activeSessionId',
    }),
  );
}

/** What PLUG-EVENTS does when a session completes: the session's latest register copied onto the connector. */
export async function setConnectorRegister(
  table: TableContext,
  chargerId: string,
  connectorId: number,
  register: { lastRegisterWh: number; lastReadingAt: string },
) {
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.connector(chargerId, connectorId),
      UpdateExpression: 'SET lastRegisterWh = :registerWh, lastReadingAt = :readingAt',
      ExpressionAttributeValues: {
        ':registerWh': register.lastRegisterWh,
        ':readingAt': register.lastReadingAt,
      },
    }),
  );
}
