import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuthRequestEvent, TransactionStartEvent, TransactionStopEvent } from '@evcharge/domain';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context, ScheduledEvent } from 'aws-lambda';

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

/** What the IoT rule delivers for chargers/{chargerId}/transaction/start. */
export function transactionStartEvent(overrides: Partial<TransactionStartEvent> = {}): TransactionStartEvent {
  const chargerId = overrides.chargerId ?? 'CP-AUTH-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    requestId: randomUUID(),
    connectorId: 1,
    idTag: 'TAG-1',
    meterStart: 1_000,
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** What the IoT rule delivers for chargers/{chargerId}/transaction/stop. */
export function transactionStopEvent(
  overrides: Partial<TransactionStopEvent> & Pick<TransactionStopEvent, 'transactionId'>,
): TransactionStopEvent {
  const chargerId = overrides.chargerId ?? 'CP-AUTH-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    requestId: randomUUID(),
    meterStop: 2_000,
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** The schedule event expire-sessions receives (its sample event, which `sls invoke local` uses too). */
export function scheduledEvent(): ScheduledEvent {
  const sample = new URL('../../events/expire-sessions-schedule.json', import.meta.url);
  return JSON.parse(readFileSync(sample, 'utf8')) as ScheduledEvent;
}

/** The context Lambda gives one of its functions: its remaining time counts down from its configured timeout. */
export function lambdaContext(
  functionKey: 'authorize' | 'expire-sessions' | 'transaction-start' | 'transaction-stop' = 'authorize',
): Context {
  return lambdaContextFor('charge-authorization', functionKey);
}

/** The environment serverless.yml gives the functions, pointed at a test table and IoT data-plane recorder. */
export function useServiceEnv(tableName: string, iotDataPlaneEndpoint: string): void {
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotDataPlaneEndpoint;
  process.env.TABLE_NAME = tableName;
  process.env.TARIFF_PRICE_PER_KWH_MINOR = '350';
  process.env.TARIFF_CURRENCY = 'KRW';
  process.env.CONNECTION_TIMEOUT_S = '120';
  delete process.env.DEAD_LETTER_QUEUE_URL;
}
