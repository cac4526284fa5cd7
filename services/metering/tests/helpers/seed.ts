import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { costMinor, type Session, type Transaction } from '@evcharge/domain';
import {
  entities,
  itemOf,
  keys,
  registerCharger,
  sessionItem,
  type TableContext,
  userSessionItem,
} from '@evcharge/dynamo';

// State other services own (chargers, sessions, the connector's active session), written the way
// ITEMS.md describes it, so metering is tested against the items it really meets.

export async function seedCharger(table: TableContext, chargerId: string, connectorCount = 2): Promise<void> {
  await registerCharger(table, { chargerId, connectorCount, now: new Date('2026-11-25T05:00:00.000Z') });
}

/** A session as CHARGE-AUTHORIZATION writes it, and the connector pointing at it while it is active. */
export async function seedSession(table: TableContext, session: Session): Promise<Session> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: sessionItem(session) }));
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: userSessionItem(session) }));
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

/** The Transaction item CHARGE-AUTHORIZATION writes with a start (the mapping a v2 reading links through). */
export async function seedTransaction(table: TableContext, transaction: Transaction): Promise<Transaction> {
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: itemOf(entities.transaction, transaction) }),
  );
  return transaction;
}

/**
 * What CHARGE-AUTHORIZATION's transaction/stop writes, reduced to what metering sees: the stop recorded on the
 * Transaction, the session Completed with energy = meterStop − meterStart, and the connector released.
 */
export async function seedTransactionStop(
  table: TableContext,
  session: Session,
  stop: { transactionId: number; meterStart: number; meterStop: number; at: string },
): Promise<void> {
  const energyWh = stop.meterStop - stop.meterStart;
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.transaction(stop.transactionId),
      UpdateExpression: 'SET meterStop = :meterStop, stoppedAt = :at, stopReason = :reason',
      ExpressionAttributeValues: { ':meterStop': stop.meterStop, ':at': stop.at, ':reason': 'Local' },
    }),
  );
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.session(session.sessionId),
      UpdateExpression:
        'SET #status = :completed, endedAt = :at, energyStartWh = :start, latestRegisterWh = :stop, ' +
        'energyWh = :energyWh, costMinor = :costMinor, stopReason = :reason',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':completed': 'Completed',
        ':at': stop.at,
        ':start': stop.meterStart,
        ':stop': stop.meterStop,
        ':energyWh': energyWh,
        ':costMinor': costMinor(energyWh, session),
        ':reason': 'Local',
      },
    }),
  );
  await releaseConnector(table, session.chargerId, session.connectorId);
}
