import { randomUUID } from 'node:crypto';
import type { AuthRequestEvent } from '@evcharge/domain';
import { createLambdaContext } from '@evcharge/middleware/testing';
import type { Context } from 'aws-lambda';

/** What the IoT rule delivers for chargers/{chargerId}/auth/request (payload + rule envelope). */
export function authRequestEvent(overrides: Partial<AuthRequestEvent> = {}): AuthRequestEvent {
  const chargerId = overrides.chargerId ?? 'CP-AUTH-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    requestId: randomUUID(),
    connectorId: 1,
    idTag: 'TAG-1',
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** A minimal Lambda context: enough for middy and the middleware's dead-letter record. */
export function lambdaContext(functionName = 'charge-authorization-local-authorize'): Context {
  return createLambdaContext(functionName);
}
