import type { AuthAttempt, Session } from '@evcharge/domain';
import { entities, itemOf, keys, userSessionItem } from '@evcharge/dynamo';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

// Typed factories with overrides: Lambda inputs and table items as the other services write them.

export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return lambdaContextFor('notifications', 'notify', overrides);
}

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

export function chargerItem(chargerId: string, overrides: Record<string, unknown> = {}) {
  return {
    ...keys.charger(chargerId),
    entityType: 'Charger',
    chargerId,
    connectorCount: 2,
    registeredAt: '2026-11-25T06:00:00.000Z',
    status: 'offline',
    heartbeatIntervalS: 300,
    livenessWindowMs: 660_000,
    ...overrides,
  };
}

export function sessionItem(sessionId: string, chargerId: string, overrides: Record<string, unknown> = {}) {
  const startedAt = '2026-11-25T07:00:00.000Z';
  return {
    ...keys.session(sessionId),
    entityType: 'Session',
    sessionId,
    chargerId,
    connectorId: 1,
    userId: 'user-1',
    idTag: 'TAG-1',
    status: 'Authorized',
    startedAt,
    energyStartWh: 1_000,
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
    ...overrides,
  };
}

/** The session's entry in its user's list, as the transaction that opens the session writes it (it announces it). */
export function openingItem(sessionId: string, chargerId: string, overrides: Record<string, unknown> = {}) {
  return userSessionItem(sessionItem(sessionId, chargerId, overrides) as unknown as Session);
}

export function meterRequestItem(
  sessionId: string,
  requestId: string,
  chargerId: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    ...keys.meterRequest(sessionId, requestId),
    entityType: 'MeterRequest',
    requestId,
    sessionId,
    chargerId,
    connectorId: 1,
    userId: 'user-1',
    status: 'pending',
    requestedAt: '2026-11-25T07:30:00.000Z',
    ...overrides,
  };
}

/** An auth attempt as charge-authorization writes it (`itemOf`: an accepted one is stream-silent). */
export function authAttemptItem(
  chargerId: string,
  requestId: string,
  overrides: Record<string, unknown> = {},
) {
  return itemOf(entities.authAttempt, {
    chargerId,
    requestId,
    connectorId: 2,
    idTag: 'TAG-9',
    userId: 'user-2',
    status: 'Blocked',
    decidedAt: '2026-11-25T07:40:00.000Z',
    ...overrides,
  } as AuthAttempt);
}

export function meterReadingItem(
  chargerId: string,
  messageId: string,
  overrides: Record<string, unknown> = {},
) {
  const at = '2026-11-25T07:15:00.000Z';
  return {
    ...keys.meterReading(chargerId, 1, at, messageId),
    entityType: 'MeterReading',
    chargerId,
    connectorId: 1,
    messageId,
    at,
    receivedAt: at,
    registerWh: 6_000,
    context: 'Sample.Periodic',
    ...overrides,
  };
}
