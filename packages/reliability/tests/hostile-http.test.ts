import { randomUUID } from 'node:crypto';
import { addIdTag } from '@evcharge/dynamo';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  authorizeFunction,
  authRequestEvent,
  type HandlerHarness,
  type Invoke,
  propertyCases,
  runSeed,
  serviceFunction,
  startHandlerHarness,
} from '../src/harness.js';
import { hostileValue } from '../src/hostile.js';

// The user API through its real handlers: whoever calls, with whatever ids and bodies, the answer is a 2xx only
// for the owner, 404 (never 403) for someone else's session, never a 500, never a stack trace or internal key.
const casesPerRoute = propertyCases;
const owner = 'user-http-owner';
const chargerId = 'CP-HOSTILE-HTTP';

interface HttpResult {
  statusCode: number;
  body?: string;
}
const routes = [
  { name: 'GET /sessions/{sessionId}', lambda: serviceFunction('metering', 'get-session'), method: 'GET' },
  {
    name: 'POST /sessions/{sessionId}/meter-requests',
    lambda: serviceFunction('metering', 'create-meter-request'),
    method: 'POST',
  },
  { name: 'GET /me/sessions', lambda: serviceFunction('metering', 'list-my-sessions'), method: 'GET' },
  {
    name: 'POST /sessions/{sessionId}/stop',
    lambda: serviceFunction('metering', 'create-remote-stop'),
    method: 'POST',
  },
  { name: 'POST /me/sessions', lambda: serviceFunction('metering', 'create-remote-start'), method: 'POST' },
];
/** Routes about the caller, not one session: a session id in the path means nothing to them. */
const callerRoutes = new Set(['GET /me/sessions', 'POST /me/sessions']);

let harness: HandlerHarness;
let ownedSessionId = '';
const handlers = new Map<string, Invoke<HttpResult>>();
const figures: string[] = [];

function httpEvent(input: {
  method: string;
  sub: unknown;
  sessionId: unknown;
  body: unknown;
  withClaims: boolean;
}) {
  return {
    version: '2.0',
    routeKey: 'hostile',
    rawPath: `/sessions/${String(input.sessionId)}`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(input.withClaims ? { authorizer: { jwt: { claims: { sub: input.sub }, scopes: null } } } : {}),
      http: { method: input.method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fc' },
      requestId: randomUUID(),
      routeKey: 'hostile',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    ...(input.sessionId === undefined ? {} : { pathParameters: { sessionId: input.sessionId } }),
    ...(input.body === undefined
      ? {}
      : { body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) }),
    isBase64Encoded: false,
  };
}

beforeAll(async () => {
  harness = await startHandlerHarness('hostile-http');
  for (const route of routes) {
    handlers.set(route.name, await harness.load<HttpResult>(route.lambda));
  }
  await registerChargerLocally(harness.table, { chargerId, connectorCount: 1, now: new Date() });
  await addIdTag(harness.table, { idTag: 'TAG-HTTP', userId: owner });
  const authorize = await harness.load(authorizeFunction);
  await authorize(authRequestEvent({ chargerId, connectorId: 1, idTag: 'TAG-HTTP' }));
  const response = harness.aws.calls.find((call) => call.service === 'iot-data');
  ownedSessionId = (JSON.parse(response?.body ?? '{}') as { sessionId?: string }).sessionId ?? '';
}, 60_000);

afterAll(async () => {
  console.log(['reliability: hostile-http', ...figures].join('\n'));
  await harness?.close();
});

const leaks = /\n\s+at |Error:|"pk"|"sk"|SESSION#|USER#|CHARGER#|TransactionCanceled|dynamodb/i;

describe(`hostile requests to the user API (${casesPerRoute} per route)`, () => {
  it('has an Authorized session owned by the test user', () => {
    expect(ownedSessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(routes.map((route) => [route.name, route] as const))(
    '%s',
    async (_name, route) => {
      const handler = handlers.get(route.name) as Invoke<HttpResult>;
      const statuses: Record<number, number> = {};
      const problems: string[] = [];
      const sub = fc.oneof(fc.constant(owner), fc.constant('someone-else'), fc.constant(''), hostileValue);
      const sessionId = fc.oneof(
        { weight: 3, arbitrary: fc.constant(ownedSessionId) },
        { weight: 2, arbitrary: fc.uuid() },
        { weight: 3, arbitrary: hostileValue },
      );
      const body = fc.oneof(
        fc.constant(undefined),
        hostileValue,
        fc.constant('{"a":'),
        fc.constant('x'.repeat(9_000)),
        // A remote start's body, good or with one hostile field.
        fc.constant({ chargerId, connectorId: 1 }),
        fc.record({ chargerId: fc.oneof(fc.constant(chargerId), hostileValue), connectorId: hostileValue }),
        fc.record({ chargerId: fc.constant(chargerId), connectorId: fc.constant(1), idTag: hostileValue }),
      );
      await fc.assert(
        fc.asyncProperty(
          sub,
          sessionId,
          body,
          fc.boolean(),
          async (subValue, sessionValue, bodyValue, withClaims) => {
            const event = httpEvent({
              method: route.method,
              sub: subValue,
              sessionId: sessionValue,
              body: bodyValue,
              withClaims,
            });
            let result: HttpResult;
            try {
              result = await handler(event);
            } catch (error) {
              problems.push(`threw ${String(error)}`);
              return;
            }
            statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
            const isOwner = withClaims && subValue === owner;
            if (result.statusCode >= 500)
              problems.push(`500 for ${JSON.stringify([subValue, sessionValue])}`);
            // A non-owner may list their own (empty) sessions, but never see the owner's.
            if (
              result.statusCode < 300 &&
              !isOwner &&
              (route.name !== 'GET /me/sessions' || result.body?.includes(ownedSessionId))
            )
              problems.push(`${result.statusCode} for a non-owner: ${result.body}`);
            if (result.statusCode === 403) problems.push('403 says the session exists');
            if (!isOwner && result.statusCode === 409 && !callerRoutes.has(route.name))
              problems.push('409 for a non-owner says the session exists');
            if (result.statusCode >= 400 && leaks.test(result.body ?? ''))
              problems.push(`leaky body ${result.body}`);
            if (
              sessionValue === ownedSessionId &&
              isOwner &&
              route.method === 'GET' &&
              bodyValue === undefined &&
              result.statusCode !== 200
            )
              problems.push(`owner got ${result.statusCode}`);
          },
        ),
        { numRuns: casesPerRoute, seed: runSeed },
      );
      figures.push(
        `  ${route.name.padEnd(42)} cases=${casesPerRoute} statuses=${JSON.stringify(statuses)} problems=${problems.length}`,
      );
      expect(problems).toEqual([]);
    },
    60_000,
  );
});
