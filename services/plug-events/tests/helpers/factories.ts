import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PlugEvent, PlugEventKind, Session } from '@evcharge/domain';
import { addIdTag, deadlinePartitionFor, keys, registerCharger, type TableContext } from '@evcharge/dynamo';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context } from 'aws-lambda';

/** What the IoT rule delivers for chargers/{chargerId}/plug (payload + rule envelope). */
export function plugRuleEvent(overrides: Partial<PlugEvent> = {}): PlugEvent {
  const chargerId = overrides.chargerId ?? 'CP-PLUG-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    messageId: randomUUID(),
    connectorId: 1,
    event: 'plugged',
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** A stream of plug events one minute apart (device time), each received 150 ms after it was sent. */
export function plugStream(chargerId: string, kinds: PlugEventKind[], startMs: number): PlugEvent[] {
  return kinds.map((event, index) => {
    const atMs = startMs + (index + 1) * 60_000;
    return plugRuleEvent({ chargerId, event, at: new Date(atMs).toISOString(), receivedAt: atMs + 150 });
  });
}

/** The context Lambda gives `plug`: its remaining time counts down from its configured timeout. */
export function lambdaContext(): Context {
  return lambdaContextFor('plug-events', 'plug');
}

export interface SeedSessionInput {
  chargerId: string;
  connectorId?: number;
  status: 'Authorized' | 'Charging';
  startedAtMs: number;
  idTag?: string;
  energyStartWh?: number;
  latestRegisterWh?: number;
  lastReadingAt?: string;
  pricePerKwhMinor?: number;
}

/**
 * A session as CHARGE-AUTHORIZATION creates it (ITEMS.md), written straight into the table: the Session
 * (deadline armed while Authorized), the connector holding it (plugged iff Charging), the tag's count + 1.
 */
export async function seedSession(table: TableContext, input: SeedSessionInput): Promise<Session> {
  const connectorId = input.connectorId ?? 1;
  const idTag = input.idTag ?? `TAG-${randomUUID().slice(0, 13)}`;
  const startedAt = new Date(input.startedAtMs).toISOString();
  const session: Session = {
    sessionId: randomUUID(),
    chargerId: input.chargerId,
    connectorId,
    userId: `user-${input.chargerId}`,
    idTag,
    status: input.status,
    startedAt,
    ...(input.status === 'Charging' ? { chargingStartedAt: startedAt } : {}),
    ...(input.energyStartWh !== undefined ? { energyStartWh: input.energyStartWh } : {}),
    ...(input.latestRegisterWh !== undefined ? { latestRegisterWh: input.latestRegisterWh } : {}),
    ...(input.lastReadingAt !== undefined ? { lastReadingAt: input.lastReadingAt } : {}),
    energyWh: 0,
    pricePerKwhMinor: input.pricePerKwhMinor ?? 350,
    costMinor: 0,
    currency: 'KRW',
  };
  const deadline =
    input.status === 'Authorized'
      ? {
          duePk: deadlinePartitionFor('session-expiry', session.sessionId),
          dueAt: input.startedAtMs + 120_000,
        }
      : {};
  await addIdTag(table, { idTag, userId: session.userId, maxConcurrent: 5 });
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.session(session.sessionId),
        ...keys.userSessions(session.userId, startedAt, session.sessionId),
        entityType: 'Session',
        ...session,
        ...deadline,
      },
    }),
  );
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.connector(input.chargerId, connectorId),
      UpdateExpression: 'SET activeSessionId = :sessionId, plugged = :plugged, #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sessionId': session.sessionId,
        ':plugged': input.status === 'Charging',
        ':status': input.status === 'Charging' ? 'Charging' : 'Preparing',
      },
    }),
  );
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.idTag(idTag),
      UpdateExpression: 'SET activeSessionCount = activeSessionCount + :one',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
  return session;
}

export async function registerTestCharger(table: TableContext, chargerId: string, connectorCount = 1) {
  await registerCharger(table, { chargerId, connectorCount, now: new Date('2026-11-25T06:00:00.000Z') });
}
