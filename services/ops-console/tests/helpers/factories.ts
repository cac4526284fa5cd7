import { randomUUID } from 'node:crypto';
import type { Session } from '@evcharge/domain';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

export interface OperatorEventOptions {
  method: 'GET' | 'POST';
  /** The route template, e.g. '/ops/api/sessions/{sessionId}'. */
  route: string;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  /** The JWT `sub`; null builds an event without claims. */
  userId?: string | null;
  /** The `cognito:groups` claim as API Gateway passes it on (a string `[a b]`); undefined: none. */
  groups?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An HTTP API (payload 2.0) event after the JWT authorizer, by default from an operator. */
export function operatorEvent(options: OperatorEventOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const routeKey = `${options.method} ${options.route}`;
  const path = Object.entries(options.pathParameters ?? {}).reduce(
    (built, [name, value]) => built.replace(`{${name}}`, encodeURIComponent(value)),
    options.route,
  );
  const userId = options.userId === undefined ? 'olga' : options.userId;
  const groups = 'groups' in options ? options.groups : '[operators]';
  const claims: Record<string, string> =
    userId === null
      ? {}
      : {
          sub: userId,
          iss: 'ev-charging-local',
          ...(groups !== undefined ? { 'cognito:groups': groups } : {}),
        };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.queryStringParameters ?? {}).toString(),
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/json', ...options.headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: null, integrationLatency: null, jwt: { claims, scopes: null } },
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: options.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: '07/Dec/2026:00:00:00 +0000',
      timeEpoch: Date.parse('2026-12-07T00:00:00.000Z'),
    },
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.queryStringParameters ? { queryStringParameters: options.queryStringParameters } : {}),
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    sessionId: randomUUID(),
    chargerId: 'CP-OPS-1',
    connectorId: 1,
    userId: 'alice',
    idTag: 'TAG-ALICE',
    status: 'Charging',
    startedAt: '2026-12-06T22:00:00.000Z',
    chargingStartedAt: '2026-12-06T22:00:00.000Z',
    energyWh: 3000,
    pricePerKwhMinor: 350,
    costMinor: 1050,
    currency: 'KRW',
    ...overrides,
  };
}
