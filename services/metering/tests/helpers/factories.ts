import { randomUUID } from 'node:crypto';
import type { MeterEvent, MeterValuesEvent, RemoteResponseEvent, Session } from '@evcharge/domain';
import { lambdaContextFor } from '@evcharge/testing';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, ScheduledEvent } from 'aws-lambda';

// Typed event factories with overrides. Times are fixed unless overridden, so tests read as data.

export const CHARGER_ID = 'CP-METER-1';

export function meterEvent(overrides: Partial<MeterEvent> = {}): MeterEvent {
  return {
    messageId: randomUUID(),
    connectorId: 1,
    at: '2026-11-25T06:00:00.000Z',
    energy: { value: 10_000, unit: 'Wh' },
    context: 'Sample.Periodic',
    chargerId: CHARGER_ID,
    clientId: overrides.chargerId ?? CHARGER_ID,
    receivedAt: Date.parse(overrides.at ?? '2026-11-25T06:00:00.000Z') + 250,
    ...overrides,
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    sessionId: randomUUID(),
    chargerId: CHARGER_ID,
    connectorId: 1,
    userId: 'alice',
    idTag: 'TAG-ALICE',
    status: 'Charging',
    startedAt: '2026-11-25T05:59:00.000Z',
    chargingStartedAt: '2026-11-25T05:59:00.000Z',
    energyWh: 0,
    costMinor: 0,
    pricePerKwhMinor: 350,
    currency: 'KRW',
    ...overrides,
  };
}

export interface HttpEventOptions {
  method: 'GET' | 'POST';
  path: string;
  /** The route template, e.g. '/sessions/{sessionId}'. */
  route: string;
  pathParameters?: Record<string, string>;
  /** The JWT `sub`; null builds an event without claims. */
  userId: string | null;
  body?: string;
}

export function httpEvent(options: HttpEventOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const routeKey = `${options.method} ${options.route}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString: '',
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: {
        principalId: null,
        integrationLatency: null,
        jwt: {
          claims: options.userId === null ? {} : { sub: options.userId, iss: 'ev-charging-local' },
          scopes: null,
        },
      },
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: '25/Nov/2026:06:00:00 +0000',
      timeEpoch: Date.parse('2026-11-25T06:00:00.000Z'),
    },
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  };
}

export const getSessionEvent = (sessionId: string, userId: string | null = 'alice') =>
  httpEvent({
    method: 'GET',
    path: `/sessions/${sessionId}`,
    route: '/sessions/{sessionId}',
    pathParameters: { sessionId },
    userId,
  });

export const listMySessionsEvent = (userId: string | null = 'alice') =>
  httpEvent({ method: 'GET', path: '/me/sessions', route: '/me/sessions', userId });

export const createMeterRequestEvent = (sessionId: string, userId: string | null = 'alice') =>
  httpEvent({
    method: 'POST',
    path: `/sessions/${sessionId}/meter-requests`,
    route: '/sessions/{sessionId}/meter-requests',
    pathParameters: { sessionId },
    userId,
  });

export const createRemoteStartEvent = (body: unknown, userId: string | null = 'alice') =>
  httpEvent({
    method: 'POST',
    path: '/me/sessions',
    route: '/me/sessions',
    userId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

export const createRemoteStopEvent = (sessionId: string, userId: string | null = 'alice') =>
  httpEvent({
    method: 'POST',
    path: `/sessions/${sessionId}/stop`,
    route: '/sessions/{sessionId}/stop',
    pathParameters: { sessionId },
    userId,
  });

/** The remote/response rule event: the charger's answer, received now unless overridden. */
export function remoteResponseEvent(overrides: Partial<RemoteResponseEvent> = {}): RemoteResponseEvent {
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    requestId: randomUUID(),
    status: 'Accepted',
    at: new Date(receivedAt - 500).toISOString(),
    chargerId: CHARGER_ID,
    clientId: overrides.chargerId ?? CHARGER_ID,
    receivedAt,
    ...overrides,
  };
}

export function scheduledEvent(overrides: Partial<ScheduledEvent> = {}): ScheduledEvent {
  return {
    version: '0',
    account: '000000000000',
    region: 'us-east-1',
    detail: {},
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: new Date().toISOString(),
    id: randomUUID(),
    resources: ['arn:aws:events:us-east-1:000000000000:rule/metering-local-meterRequestTimeouts'],
    ...overrides,
  };
}

/** The context Lambda gives one of metering's functions: its remaining time counts down from its configured timeout. */
export function lambdaContext(
  functionKey:
    | 'ingestReading'
    | 'listMySessions'
    | 'getSession'
    | 'createMeterRequest'
    | 'createRemoteStart'
    | 'createRemoteStop'
    | 'recordRemoteResponse'
    | 'meterRequestTimer'
    | 'meterRequestTimeouts'
    | 'operatorRemoteStop',
): Context {
  return lambdaContextFor('metering', functionKey);
}

/** A v2 (OCPP MeterValues) rule event: one energy register per timestamp unless overridden, OCPP defaults applied. */
export function meterValuesEvent(overrides: Partial<MeterValuesEvent> = {}): MeterValuesEvent {
  const meterValue = overrides.meterValue ?? [
    { timestamp: '2026-11-25T06:00:00.000Z', sampledValue: [sampledValue({ value: '10000' })] },
  ];
  return {
    messageId: randomUUID(),
    connectorId: 1,
    meterValue,
    chargerId: CHARGER_ID,
    clientId: overrides.chargerId ?? CHARGER_ID,
    // Received just after its newest timestamp.
    receivedAt: Math.max(...meterValue.map((value) => Date.parse(value.timestamp))) + 250,
    ...overrides,
  };
}

type SampledValue = MeterValuesEvent['meterValue'][number]['sampledValue'][number];

/** A sampled value as the schema outputs it: OCPP's defaults (an Energy.Active.Import.Register in Wh). */
export function sampledValue(overrides: Partial<SampledValue> & { value: string }): SampledValue {
  return {
    context: 'Sample.Periodic',
    format: 'Raw',
    measurand: 'Energy.Active.Import.Register',
    location: 'Outlet',
    unit: 'Wh',
    ...overrides,
  };
}
