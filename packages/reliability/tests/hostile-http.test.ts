import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { addIdTag } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/dynamo/local';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hostileValue } from '../src/hostile.js';
import { type RecordingAws, startRecordingAws } from '../src/recording-aws.js';
import { repoRoot } from '../src/templates.js';

// The user API through its real handlers: whoever calls, with whatever ids and bodies, the answer is a 2xx only
// for the owner, 404 (never 403) for someone else's session, never a 500, never a stack trace or internal key.
const casesPerRoute = Number(
  process.env.RELIABILITY_CASES ?? (process.env.RELIABILITY_FULL === '1' ? 1_000 : 200),
);
const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const owner = 'user-http-owner';
const chargerId = 'CP-HOSTILE-HTTP';

type Handler = (event: unknown, context: object) => Promise<{ statusCode: number; body?: string }>;
const routes = [
  { name: 'GET /sessions/{sessionId}', file: 'services/metering/src/handlers/get-session.ts', method: 'GET' },
  {
    name: 'POST /sessions/{sessionId}/meter-requests',
    file: 'services/metering/src/handlers/create-meter-request.ts',
    method: 'POST',
  },
  { name: 'GET /me/sessions', file: 'services/metering/src/handlers/list-my-sessions.ts', method: 'GET' },
];

let table: TestTable;
let aws: RecordingAws;
let ownedSessionId = '';
const handlers = new Map<string, Handler>();
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
  table = await createTestTable('hostile-http');
  aws = await startRecordingAws();
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DEAD_LETTER_QUEUE_URL: `${aws.endpoint}/000000000000/http-dead-letters`,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TARIFF_PRICE_PER_KWH_MINOR: '350',
    TARIFF_CURRENCY: 'KRW',
    CONNECTION_TIMEOUT_S: '120',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  for (const route of routes) {
    handlers.set(route.name, ((await import(join(repoRoot, route.file))) as { handler: Handler }).handler);
  }
  await registerChargerLocally(table, { chargerId, connectorCount: 1, now: new Date() });
  await addIdTag(table, { idTag: 'TAG-HTTP', userId: owner });
  const { handler: authorize } = (await import(
    join(repoRoot, 'services/charge-authorization/src/handlers/authorize.ts')
  )) as { handler: Handler };
  await authorize(
    {
      requestId: randomUUID(),
      connectorId: 1,
      idTag: 'TAG-HTTP',
      at: new Date().toISOString(),
      chargerId,
      clientId: chargerId,
      receivedAt: Date.now(),
    },
    { functionName: 'charge-authorization-local-authorize', awsRequestId: randomUUID() },
  );
  const response = aws.calls.find((call) => call.service === 'iot-data');
  ownedSessionId = (JSON.parse(response?.body ?? '{}') as { sessionId?: string }).sessionId ?? '';
}, 60_000);

afterAll(async () => {
  console.log(['reliability: hostile-http', ...figures].join('\n'));
  await aws?.close();
  await table?.drop();
});

const leaks = /\n\s+at |Error:|"pk"|"sk"|SESSION#|USER#|CHARGER#|TransactionCanceled|dynamodb/i;

describe(`hostile requests to the user API (${casesPerRoute} per route)`, () => {
  it('has an Authorized session owned by the test user', () => {
    expect(ownedSessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(routes.map((route) => [route.name, route] as const))(
    '%s',
    async (_name, route) => {
      const handler = handlers.get(route.name) as Handler;
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
            let result: { statusCode: number; body?: string };
            try {
              result = await handler(event, {
                functionName: 'metering-local-api',
                awsRequestId: randomUUID(),
              });
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
            if (!isOwner && result.statusCode === 409)
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
        { numRuns: casesPerRoute, seed },
      );
      figures.push(
        `  ${route.name.padEnd(42)} cases=${casesPerRoute} statuses=${JSON.stringify(statuses)} problems=${problems.length}`,
      );
      expect(problems).toEqual([]);
    },
    60_000,
  );
});
