import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  meterRequestAcceptedSchema,
  mySessionsResponseSchema,
  sessionStatusViewSchema,
} from '@evcharge/domain';
import { deadlinePartitionFor, keys } from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CHARGER_ID,
  createMeterRequestEvent,
  getSessionEvent,
  lambdaContext,
  listMySessionsEvent,
  session,
} from '../helpers/factories.js';
import { seedCharger, seedSession } from '../helpers/seed.js';

type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;

let testTable: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let listMySessions: HttpHandler;
let getSession: HttpHandler;
let createMeterRequest: HttpHandler;

const aliceOld = session({
  startedAt: '2026-11-20T08:00:00.000Z',
  status: 'Completed',
  endedAt: '2026-11-20T09:00:00.000Z',
  connectorId: 1,
});
const aliceNew = session({
  startedAt: '2026-11-25T05:59:00.000Z',
  connectorId: 2,
  energyStartWh: 10_000,
  latestRegisterWh: 12_000,
  energyWh: 2000,
  costMinor: 700,
  powerW: 7200,
  lastReadingAt: '2026-11-25T06:15:00.000Z',
});
const bobs = session({ userId: 'bob', idTag: 'TAG-BOB', connectorId: 3 });
const aliceExpired = session({ startedAt: '2026-11-24T08:00:00.000Z', status: 'Expired', connectorId: 4 });

beforeAll(async () => {
  testTable = await createTestTable('metering-api');
  iotDataPlane = await startIotDataPlaneRecorder();
  process.env.TABLE_NAME = testTable.tableName;
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotDataPlane.endpoint;
  ({ handler: listMySessions } = await import('../../src/handlers/list-my-sessions.js'));
  ({ handler: getSession } = await import('../../src/handlers/get-session.js'));
  ({ handler: createMeterRequest } = await import('../../src/handlers/create-meter-request.js'));
  await seedCharger(testTable, CHARGER_ID, 4);
  for (const seeded of [aliceOld, aliceNew, bobs, aliceExpired]) await seedSession(testTable, seeded);
});

afterAll(async () => {
  await iotDataPlane.close();
  await testTable.drop();
});

const call = (handler: HttpHandler, event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
  handler(event, lambdaContext('getSession'));
const bodyOf = (result: APIGatewayProxyStructuredResultV2): unknown => JSON.parse(String(result.body));

describe('GET /me/sessions', () => {
  it("lists only the caller's sessions, newest first, in the contract's shape", async () => {
    const result = await call(listMySessions, listMySessionsEvent('alice'));
    expect(result.statusCode).toBe(200);
    const sessions = mySessionsResponseSchema.parse(bodyOf(result));
    expect(sessions.map((s) => s.sessionId)).toEqual([
      aliceNew.sessionId,
      aliceExpired.sessionId,
      aliceOld.sessionId,
    ]);
    expect(sessions[0]).toEqual({
      sessionId: aliceNew.sessionId,
      chargerId: CHARGER_ID,
      connectorId: 2,
      status: 'Charging',
      startedAt: aliceNew.startedAt,
      energyWh: 2000,
      costMinor: 700,
      currency: 'KRW',
    });
  });

  it('carries endedAt for a session that has ended', async () => {
    const sessions = mySessionsResponseSchema.parse(
      bodyOf(await call(listMySessions, listMySessionsEvent('alice'))),
    );
    expect(sessions.find((s) => s.sessionId === aliceOld.sessionId)?.endedAt).toBe(
      '2026-11-20T09:00:00.000Z',
    );
    expect(sessions.find((s) => s.sessionId === aliceNew.sessionId)).not.toHaveProperty('endedAt');
  });

  it('is an empty list for a user without sessions', async () => {
    const result = await call(listMySessions, listMySessionsEvent('carol'));
    expect(bodyOf(result)).toEqual([]);
  });

  it('is 401 without a subject claim', async () => {
    expect((await call(listMySessions, listMySessionsEvent(null))).statusCode).toBe(401);
  });
});

describe('GET /sessions/{sessionId}', () => {
  it('returns the charging status to its owner', async () => {
    const result = await call(getSession, getSessionEvent(aliceNew.sessionId, 'alice'));
    expect(result.statusCode).toBe(200);
    expect(sessionStatusViewSchema.parse(bodyOf(result))).toEqual({
      sessionId: aliceNew.sessionId,
      chargerId: CHARGER_ID,
      connectorId: 2,
      status: 'Charging',
      startedAt: aliceNew.startedAt,
      energyWh: 2000,
      powerW: 7200,
      lastReadingAt: '2026-11-25T06:15:00.000Z',
      costMinor: 700,
      currency: 'KRW',
    });
  });

  it("answers someone else's session exactly like a missing one", async () => {
    const othersResult = await call(getSession, getSessionEvent(bobs.sessionId, 'alice'));
    const missingResult = await call(getSession, getSessionEvent(crypto.randomUUID(), 'alice'));
    expect(othersResult.statusCode).toBe(404);
    expect(othersResult).toEqual(missingResult);
    expect(bodyOf(othersResult)).toEqual({ message: 'not found' });
  });

  it('is 400 for a session id that is not a UUID', async () => {
    const result = await call(getSession, getSessionEvent('not-a-uuid', 'alice'));
    expect(result.statusCode).toBe(400);
  });
});

describe('POST /sessions/{sessionId}/meter-requests', () => {
  it('records a pending request with its deadline and publishes the request to the charger', async () => {
    const before = Date.now();
    const result = await call(createMeterRequest, createMeterRequestEvent(aliceNew.sessionId, 'alice'));
    expect(result.statusCode).toBe(202);
    const { requestId } = meterRequestAcceptedSchema.parse(bodyOf(result));

    const { Item } = await testTable.client.send(
      new GetCommand({
        TableName: testTable.tableName,
        Key: keys.meterRequest(aliceNew.sessionId, requestId),
      }),
    );
    expect(Item).toMatchObject({
      entityType: 'MeterRequest',
      status: 'pending',
      userId: 'alice',
      chargerId: CHARGER_ID,
      connectorId: 2,
      duePk: deadlinePartitionFor('meter-request', requestId),
    });
    expect(Item?.dueAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(Item?.dueAt).toBeLessThanOrEqual(Date.now() + 30_000);

    const published = iotDataPlane.publishes.filter(
      (message) => (message.payload as { requestId?: string }).requestId === requestId,
    );
    expect(published).toEqual([
      {
        topic: `chargers/${CHARGER_ID}/meter/request`,
        qos: 1,
        payload: { requestId, connectorId: 2, at: Item?.requestedAt },
      },
    ]);
  });

  it('is 409 for a session that is not active', async () => {
    for (const inactive of [aliceOld, aliceExpired]) {
      const result = await call(createMeterRequest, createMeterRequestEvent(inactive.sessionId, 'alice'));
      expect(result.statusCode).toBe(409);
      expect(bodyOf(result)).toEqual({ message: 'session is not active' });
    }
  });

  it("is the same 404 for someone else's session and a missing one, and publishes nothing", async () => {
    const publishedBefore = iotDataPlane.publishes.length;
    const othersResult = await call(createMeterRequest, createMeterRequestEvent(bobs.sessionId, 'alice'));
    const missingResult = await call(
      createMeterRequest,
      createMeterRequestEvent(crypto.randomUUID(), 'alice'),
    );
    expect(othersResult.statusCode).toBe(404);
    expect(othersResult).toEqual(missingResult);
    expect(iotDataPlane.publishes).toHaveLength(publishedBefore);
  });

  it('lets the owner of the other session ask (the 404 was about ownership, not the session)', async () => {
    const result = await call(createMeterRequest, createMeterRequestEvent(bobs.sessionId, 'bob'));
    expect(result.statusCode).toBe(202);
  });
});
