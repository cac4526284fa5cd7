import type { HttpEvent } from '../../src/index.js';

/** A heartbeat as the IoT rule delivers it: payload plus the rule envelope. */
export function heartbeatEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    at: '2026-11-25T06:30:00.000Z',
    intervalS: 300,
    chargerId: 'CP-1',
    clientId: 'CP-1',
    receivedAt: 1_764_052_200_123,
    ...overrides,
  };
}

/** An HTTP API (payload v2, JWT authorizer) event with only what the middlewares read. */
export function httpEvent(overrides: { sub?: string; body?: string; sessionId?: string } = {}): HttpEvent {
  const sessionId = overrides.sessionId ?? 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
  return {
    version: '2.0',
    routeKey: 'GET /sessions/{sessionId}',
    rawPath: `/sessions/${sessionId}`,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    pathParameters: { sessionId },
    ...(overrides.body !== undefined ? { body: overrides.body } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'GET',
        path: `/sessions/${sessionId}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: 'req-1',
      routeKey: 'GET /sessions/{sessionId}',
      stage: '$default',
      time: '25/Nov/2026:06:30:00 +0000',
      timeEpoch: 1_764_052_200_000,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: overrides.sub === undefined ? {} : { sub: overrides.sub }, scopes: [] },
      },
    },
  } as HttpEvent;
}
