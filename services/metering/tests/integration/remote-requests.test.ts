import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type RemoteResponseEvent,
  remoteRequestAcceptedSchema,
  remoteStartPayloadSchema,
  remoteStopPayloadSchema,
  type Session,
} from '@evcharge/domain';
import { addIdTag, blockIdTag, deadlinePartitionFor, keys, listAudit } from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  ScheduledEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import {
  CHARGER_ID,
  createRemoteStartEvent,
  createRemoteStopEvent,
  lambdaContext,
  remoteResponseEvent,
  scheduledEvent,
  session as sessionFactory,
} from '../helpers/factories.js';
import { releaseConnector, seedCharger, seedSession } from '../helpers/seed.js';
import { sqsEvent, sqsRecord } from '../helpers/sqs-events.js';
import { type SqsRecorder, startSqsRecorder } from '../helpers/sqs-recorder.js';

// Remote start/stop from the app through the real handlers, against DynamoDB Local: the routes record the
// request before the charger is asked, and the charger's answer, the timer or the sweeper move it out of
// pending exactly once. The timer is delivered by hand (SQS's delay is the local cloud's and AWS's business).

const TIMEOUT_S = 1;
const QUEUE = 'metering-local-meter-request-timers';
const OFFLINE_CHARGER = 'CP-REMOTE-OFF';

type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;

let testTable: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let sqs: SqsRecorder;
let createRemoteStart: HttpHandler;
let createRemoteStop: HttpHandler;
let operatorRemoteStop: HttpHandler;
let respond: (event: RemoteResponseEvent) => Promise<unknown>;
let timer: (event: SQSEvent) => Promise<SQSBatchResponse>;
let sweep: (event: ScheduledEvent) => Promise<{ due: number; resolved: number }>;
let resolveTimedOutRemoteRequest: typeof import('../../src/remote-requests.js').resolveTimedOutRemoteRequest;
let recordRemoteResponse: typeof import('../../src/remote-requests.js').recordRemoteResponse;
let lastConnector = 0;
/** A connector no other test touches. */
const freshConnector = () => ++lastConnector;
let connectorId = 0;

beforeAll(async () => {
  testTable = await createTestTable('metering-remote');
  iotDataPlane = await startIotDataPlaneRecorder();
  sqs = await startSqsRecorder();
  process.env.TABLE_NAME = testTable.tableName;
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotDataPlane.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  process.env.METER_REQUEST_TIMER_QUEUE_URL = sqs.queueUrl(QUEUE);
  process.env.REMOTE_REQUEST_TIMEOUT_S = String(TIMEOUT_S);
  ({ handler: createRemoteStart } = await import('../../src/handlers/create-remote-start.js'));
  ({ handler: createRemoteStop } = await import('../../src/handlers/create-remote-stop.js'));
  ({ handler: operatorRemoteStop } = await import('../../src/handlers/operator-remote-stop.js'));
  const responseModule = await import('../../src/handlers/record-remote-response.js');
  respond = (event) => responseModule.handler(event, lambdaContext('recordRemoteResponse'));
  const timerModule = await import('../../src/handlers/meter-request-timer.js');
  timer = (event) => timerModule.handler(event, lambdaContext('meterRequestTimer'));
  const sweepModule = await import('../../src/handlers/meter-request-timeouts.js');
  sweep = (event) => sweepModule.handler(event, lambdaContext('meterRequestTimeouts'));
  ({ resolveTimedOutRemoteRequest, recordRemoteResponse } = await import('../../src/remote-requests.js'));
  await seedCharger(testTable, CHARGER_ID, 80);
  await setCharger(CHARGER_ID, { status: 'online' });
  await seedCharger(testTable, OFFLINE_CHARGER, 2);
  await addIdTag(testTable, { idTag: 'TAG-ALICE', userId: 'alice' });
  await addIdTag(testTable, { idTag: 'TAG-ALICE-2', userId: 'alice' });
  await addIdTag(testTable, { idTag: 'TAG-BOB', userId: 'bob' });
});

afterAll(async () => {
  await sqs.close();
  await iotDataPlane.close();
  await testTable.drop();
});

beforeEach(() => {
  connectorId = freshConnector();
});

async function setCharger(chargerId: string, values: Record<string, unknown>) {
  await update(keys.charger(chargerId), values);
}

async function update(key: { pk: string; sk: string }, values: Record<string, unknown>) {
  const names = Object.keys(values);
  await testTable.client.send(
    new UpdateCommand({
      TableName: testTable.tableName,
      Key: key,
      UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name) => [`:${name}`, values[name]])),
    }),
  );
}

const raw = async (key: { pk: string; sk: string }) =>
  (await testTable.client.send(new GetCommand({ TableName: testTable.tableName, Key: key }))).Item;
const rawRequest = (requestId: string, chargerId = CHARGER_ID) =>
  raw(keys.remoteRequest(chargerId, requestId));
const bodyOf = (result: APIGatewayProxyStructuredResultV2): unknown => JSON.parse(String(result.body));

async function start(body: Record<string, unknown>, userId = 'alice') {
  return createRemoteStart(createRemoteStartEvent(body, userId), lambdaContext('createRemoteStart'));
}

async function startAccepted(body: Record<string, unknown>, userId = 'alice'): Promise<string> {
  const result = await start(body, userId);
  expect({ status: result.statusCode, body: bodyOf(result) }).toMatchObject({ status: 202 });
  return remoteRequestAcceptedSchema.parse(bodyOf(result)).requestId;
}

async function seedV2Session(overrides: Partial<Session> = {}): Promise<Session> {
  return seedSession(
    testTable,
    sessionFactory({ connectorId, transactionId: 1000 + connectorId, ...overrides }),
  );
}

async function stop(sessionId: string, userId = 'alice') {
  return createRemoteStop(createRemoteStopEvent(sessionId, userId), lambdaContext('createRemoteStop'));
}

async function stopAccepted(sessionId: string): Promise<string> {
  const result = await stop(sessionId);
  expect(result.statusCode).toBe(202);
  return remoteRequestAcceptedSchema.parse(bodyOf(result)).requestId;
}

const timerMessage = (requestId: string, chargerId = CHARGER_ID) => sqsRecord({ chargerId, requestId });

describe('POST /me/sessions (remote start)', () => {
  it('records the pending request and its pending start, arms the timer, then sends remote/start', async () => {
    const before = Date.now();
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });

    const request = await rawRequest(requestId);
    expect(request).toMatchObject({
      entityType: 'RemoteRequest',
      action: 'start',
      status: 'pending',
      userId: 'alice',
      chargerId: CHARGER_ID,
      connectorId,
      idTag: 'TAG-ALICE',
      duePk: deadlinePartitionFor('remote-request', requestId),
    });
    const expiresAtMs = Date.parse(String(request?.expiresAt));
    expect(expiresAtMs - Date.parse(String(request?.requestedAt))).toBe(TIMEOUT_S * 1000);
    expect(request?.dueAt).toBe(expiresAtMs);
    expect(expiresAtMs).toBeGreaterThanOrEqual(before + TIMEOUT_S * 1000);

    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toMatchObject({
      entityType: 'PendingRemoteStart',
      requestId,
      expiresAtEpochS: expect.any(Number),
    });
    expect(sqs.sent.at(-1)).toMatchObject({
      queueUrl: sqs.queueUrl(QUEUE),
      body: { chargerId: CHARGER_ID, requestId },
      delaySeconds: TIMEOUT_S,
    });
    const published = iotDataPlane.publishes.at(-1);
    expect(published?.topic).toBe(`chargers/${CHARGER_ID}/remote/start`);
    expect(remoteStartPayloadSchema.parse(published?.payload)).toEqual({
      requestId,
      connectorId,
      idTag: 'TAG-ALICE',
      expiresAt: request?.expiresAt,
      at: request?.requestedAt,
    });
  });

  it("without idTag, starts with the caller's most recently used active tag", async () => {
    await seedV2Session({ idTag: 'TAG-ALICE-2', startedAt: '2026-11-20T08:00:00.000Z', status: 'Completed' });
    await seedV2Session({ idTag: 'TAG-ALICE', startedAt: '2026-11-21T08:00:00.000Z', status: 'Completed' });
    await blockIdTag(testTable, 'TAG-ALICE');
    try {
      const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId: freshConnector() });
      expect((await rawRequest(requestId))?.idTag).toBe('TAG-ALICE-2');
    } finally {
      await addIdTag(testTable, { idTag: 'TAG-ALICE', userId: 'alice' });
    }
  });

  it('is 404 (and sends nothing) for an unknown charger, an unknown connector, or a tag not the caller’s', async () => {
    const publishedBefore = iotDataPlane.publishes.length;
    const results = await Promise.all([
      start({ chargerId: 'CP-NOWHERE', connectorId: 1, idTag: 'TAG-ALICE' }),
      start({ chargerId: CHARGER_ID, connectorId: 999, idTag: 'TAG-ALICE' }),
      start({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-BOB' }),
      start({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-NOBODY' }),
      start({ chargerId: CHARGER_ID, connectorId }, 'carol'), // no tag at all
    ]);
    for (const result of results) {
      expect({ status: result.statusCode, body: bodyOf(result) }).toEqual({
        status: 404,
        body: { message: 'not found' },
      });
    }
    expect(iotDataPlane.publishes).toHaveLength(publishedBefore);
  });

  it('is 409 for an offline charger, a faulted, unavailable or busy connector, and a blocked tag', async () => {
    const faulted = connectorId;
    const unavailable = freshConnector();
    await update(keys.connector(CHARGER_ID, faulted), { faulted: true });
    await update(keys.connector(CHARGER_ID, unavailable), { unavailable: true });
    const busy = await seedV2Session({ connectorId: freshConnector(), userId: 'bob', idTag: 'TAG-BOB' });
    await blockIdTag(testTable, 'TAG-ALICE-2');
    try {
      const cases = [
        [{ chargerId: OFFLINE_CHARGER, connectorId: 1, idTag: 'TAG-ALICE' }, 'charger is offline'],
        [{ chargerId: CHARGER_ID, connectorId: faulted, idTag: 'TAG-ALICE' }, 'connector is faulted'],
        [{ chargerId: CHARGER_ID, connectorId: unavailable, idTag: 'TAG-ALICE' }, 'connector is unavailable'],
        [{ chargerId: CHARGER_ID, connectorId: busy.connectorId, idTag: 'TAG-ALICE' }, 'connector is busy'],
        [
          { chargerId: CHARGER_ID, connectorId: freshConnector(), idTag: 'TAG-ALICE-2' },
          'idTag is blocked or expired',
        ],
      ] as const;
      for (const [body, message] of cases) {
        const result = await start(body);
        expect({ status: result.statusCode, body: bodyOf(result) }).toEqual({
          status: 409,
          body: { message },
        });
      }
    } finally {
      await addIdTag(testTable, { idTag: 'TAG-ALICE-2', userId: 'alice' });
      await releaseConnector(testTable, CHARGER_ID, busy.connectorId);
    }
  });

  it.each([
    ['not JSON', 'nope', '(body): must be a JSON object'],
    ['a missing chargerId', { connectorId: 1 }, 'chargerId:'],
    ['a connectorId that is not an integer', { chargerId: CHARGER_ID, connectorId: 'one' }, 'connectorId:'],
    [
      'an idTag over 20 characters',
      { chargerId: CHARGER_ID, connectorId: 1, idTag: 'x'.repeat(21) },
      'idTag:',
    ],
    ['an unknown field', { chargerId: CHARGER_ID, connectorId: 1, userId: 'bob' }, 'userId:'],
  ])('is 400 naming the field for %s', async (_case, body, message) => {
    const result = await createRemoteStart(createRemoteStartEvent(body), lambdaContext('createRemoteStart'));
    expect(result.statusCode).toBe(400);
    expect((bodyOf(result) as { message: string }).message).toContain(message);
  });

  it('is 401 without a subject claim', async () => {
    const result = await start({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' }, null as never);
    expect(result.statusCode).toBe(401);
  });
});

describe('POST /sessions/{sessionId}/stop (remote stop)', () => {
  it('records the request, names it on the session, arms the timer, then sends remote/stop', async () => {
    const session = await seedV2Session();
    const requestId = await stopAccepted(session.sessionId);
    const request = await rawRequest(requestId);
    expect(request).toMatchObject({
      action: 'stop',
      status: 'pending',
      sessionId: session.sessionId,
      transactionId: session.transactionId,
      idTag: session.idTag,
    });
    expect((await raw(keys.session(session.sessionId)))?.remoteStopRequestId).toBe(requestId);
    expect(sqs.sent.at(-1)?.body).toEqual({ chargerId: CHARGER_ID, requestId });
    const published = iotDataPlane.publishes.at(-1);
    expect(published?.topic).toBe(`chargers/${CHARGER_ID}/remote/stop`);
    expect(remoteStopPayloadSchema.parse(published?.payload)).toEqual({
      requestId,
      transactionId: session.transactionId,
      sessionId: session.sessionId,
      expiresAt: request?.expiresAt,
      at: request?.requestedAt,
    });
  });

  it('is 409 for a session that is not active, and for a v1 session (no transactionId)', async () => {
    const completed = await seedV2Session({ status: 'Completed', endedAt: '2026-11-25T07:00:00.000Z' });
    const { transactionId: _, ...v1 } = sessionFactory({ connectorId: freshConnector() });
    await seedSession(testTable, v1);
    const notActive = await stop(completed.sessionId);
    expect({ status: notActive.statusCode, body: bodyOf(notActive) }).toEqual({
      status: 409,
      body: { message: 'session is not active' },
    });
    const v1Result = await stop(v1.sessionId);
    expect(v1Result.statusCode).toBe(409);
    expect((bodyOf(v1Result) as { message: string }).message).toContain('v1 session');
  });

  it("is the same 404 for someone else's session and a missing one, and sends nothing", async () => {
    const bobs = await seedV2Session({ userId: 'bob', idTag: 'TAG-BOB' });
    const publishedBefore = iotDataPlane.publishes.length;
    const others = await stop(bobs.sessionId);
    const missing = await stop(randomUUID());
    expect(others.statusCode).toBe(404);
    expect(others).toEqual(missing);
    expect(iotDataPlane.publishes).toHaveLength(publishedBefore);
  });
});

describe('POST /ops/api/sessions/{sessionId}/stop (an operator’s remote stop, from the console)', () => {
  const operatorStop = (sessionId: string, groups: string) => {
    const event = createRemoteStopEvent(sessionId, 'olga');
    const claims = event.requestContext.authorizer.jwt.claims as Record<string, unknown>;
    claims['cognito:groups'] = groups;
    return operatorRemoteStop(event, lambdaContext('operatorRemoteStop'));
  };

  it('stops any user’s session with the same request, keeps the operator on it and in the audit log', async () => {
    const bobs = await seedV2Session({ userId: 'bob', idTag: 'TAG-BOB' });
    const result = await operatorStop(bobs.sessionId, '[operators]');
    expect(result.statusCode).toBe(202);
    const { requestId } = remoteRequestAcceptedSchema.parse(bodyOf(result));
    expect(await rawRequest(requestId)).toMatchObject({
      action: 'stop',
      status: 'pending',
      sessionId: bobs.sessionId,
      userId: 'bob',
      operatorId: 'olga',
    });
    expect(iotDataPlane.publishes.at(-1)?.topic).toBe(`chargers/${CHARGER_ID}/remote/stop`);
    const audit = await listAudit(testTable, new Date());
    expect(audit.find((entry) => entry.target === `session ${bobs.sessionId}`)).toMatchObject({
      operatorId: 'olga',
      action: 'remote-stop',
      outcome: 'ok',
      detail: `requestId ${requestId}`,
    });
  });

  it('is 403 for a signed-in user outside the operators group, and sends nothing', async () => {
    const alices = await seedV2Session();
    const publishedBefore = iotDataPlane.publishes.length;
    const result = await operatorStop(alices.sessionId, '[drivers]');
    expect(result.statusCode).toBe(403);
    expect(iotDataPlane.publishes).toHaveLength(publishedBefore);
  });

  it('is 404 for a missing session and 409 for an ended one, each audited as refused', async () => {
    const missing = randomUUID();
    expect((await operatorStop(missing, 'operators')).statusCode).toBe(404);
    const ended = await seedV2Session({ status: 'Completed', endedAt: '2026-11-25T07:00:00.000Z' });
    expect((await operatorStop(ended.sessionId, 'operators')).statusCode).toBe(409);
    const audit = await listAudit(testTable, new Date());
    for (const sessionId of [missing, ended.sessionId]) {
      expect(audit.find((entry) => entry.target === `session ${sessionId}`)?.outcome).toBe('refused');
    }
  });
});

describe('remote/response', () => {
  it('Accepted: the request is accepted with the answer; the pending start stays for transaction/start', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    const answer = remoteResponseEvent({ requestId, status: 'Accepted' });
    await expect(respond(answer)).resolves.toBe('resolved');
    expect(await rawRequest(requestId)).toMatchObject({
      status: 'accepted',
      answer: 'Accepted',
      answeredAt: answer.at,
      resolvedBy: 'response',
    });
    expect(await rawRequest(requestId)).not.toHaveProperty('duePk');
    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toMatchObject({
      requestId,
    });
  });

  it('Rejected start: rejected, the pending start removed; a repeat and a late timer change nothing', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await respond(remoteResponseEvent({ requestId, status: 'Rejected' }));
    const rejected = await rawRequest(requestId);
    expect(rejected).toMatchObject({ status: 'rejected', answer: 'Rejected', resolvedBy: 'response' });
    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toBeUndefined();

    await expect(respond(remoteResponseEvent({ requestId, status: 'Rejected' }))).resolves.toBe(
      'not-pending',
    );
    await expect(respond(remoteResponseEvent({ requestId, status: 'Accepted' }))).resolves.toBe(
      'not-pending',
    );
    await timer(sqsEvent(timerMessage(requestId)));
    expect(await rawRequest(requestId)).toEqual(rejected);
  });

  it('Rejected stop: rejected, and the session no longer names the stop', async () => {
    const session = await seedV2Session();
    const requestId = await stopAccepted(session.sessionId);
    await respond(remoteResponseEvent({ requestId, status: 'Rejected' }));
    expect((await rawRequest(requestId))?.status).toBe('rejected');
    const after = await raw(keys.session(session.sessionId));
    expect(after).not.toHaveProperty('remoteStopRequestId');
    expect(after?.status).toBe('Charging');
  });

  it('a requestId this charger was never sent is bad input naming requestId, and changes nothing', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await expect(respond(remoteResponseEvent({ requestId: randomUUID() }))).resolves.toMatchObject({
      rejected: true,
      errorClass: 'bad-input',
      field: 'requestId',
    });
    // Another charger answering this charger's request does not find it either.
    await expect(
      respond(remoteResponseEvent({ requestId, chargerId: OFFLINE_CHARGER, clientId: OFFLINE_CHARGER })),
    ).resolves.toMatchObject({ rejected: true, field: 'requestId' });
    expect((await rawRequest(requestId))?.status).toBe('pending');
  });

  it('a spoofed or malformed answer is refused naming the field', async () => {
    await expect(respond(remoteResponseEvent({ clientId: 'CP-OTHER' }))).resolves.toMatchObject({
      errorClass: 'spoof',
    });
    await expect(respond({ ...remoteResponseEvent(), status: 'Maybe' } as never)).resolves.toMatchObject({
      field: 'status',
    });
    const future = Date.now();
    await expect(
      respond(remoteResponseEvent({ receivedAt: future, at: new Date(future + 10 * 60_000).toISOString() })),
    ).resolves.toMatchObject({ field: 'at' });
  });
});

describe('the 30 s time-out', () => {
  it('a start nobody answered times out at its timer; its pending start is removed; a late answer changes nothing', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await expect(timer(sqsEvent(timerMessage(requestId)))).resolves.toEqual({ batchItemFailures: [] });
    const timedOut = await rawRequest(requestId);
    expect(timedOut).toMatchObject({ status: 'timed-out', resolvedBy: 'timeout' });
    expect(timedOut).not.toHaveProperty('duePk');
    expect(timedOut).not.toHaveProperty('answer');
    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toBeUndefined();

    await expect(respond(remoteResponseEvent({ requestId, status: 'Accepted' }))).resolves.toBe(
      'not-pending',
    );
    expect(await rawRequest(requestId)).toEqual(timedOut);
  });

  it('a start whose transaction/start already took it settles silently as accepted (the session told the user)', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    // What charge-authorization's transaction-start writes when it opens the session for this request.
    await update(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'), { sessionId: randomUUID() });
    await timer(sqsEvent(timerMessage(requestId)));
    expect(await rawRequest(requestId)).toMatchObject({ status: 'accepted', resolvedBy: 'session' });
    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toBeDefined();
  });

  it('an older start replaced by a newer one times out without touching the newer pending start', async () => {
    const older = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    const newer = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await timer(sqsEvent(timerMessage(older)));
    expect((await rawRequest(older))?.status).toBe('timed-out');
    expect(await raw(keys.pendingRemoteStart(CHARGER_ID, connectorId, 'TAG-ALICE'))).toMatchObject({
      requestId: newer,
    });
  });

  it('a stop times out and the session stops naming it; one whose session completed with it settles silently', async () => {
    const running = await seedV2Session();
    const unanswered = await stopAccepted(running.sessionId);
    await timer(sqsEvent(timerMessage(unanswered)));
    expect((await rawRequest(unanswered))?.status).toBe('timed-out');
    expect(await raw(keys.session(running.sessionId))).not.toHaveProperty('remoteStopRequestId');

    connectorId = freshConnector();
    const ending = await seedV2Session();
    const answeredByStop = await stopAccepted(ending.sessionId);
    // charge-authorization completes the session on the charger's transaction/stop, the answer lost on the way.
    await update(keys.session(ending.sessionId), {
      status: 'Completed',
      endedAt: '2026-11-25T07:00:00.000Z',
    });
    await timer(sqsEvent(timerMessage(answeredByStop)));
    expect(await rawRequest(answeredByStop)).toMatchObject({ status: 'accepted', resolvedBy: 'session' });
    expect((await raw(keys.session(ending.sessionId)))?.remoteStopRequestId).toBe(answeredByStop);
  });

  it('the sweeper times out a request whose timer never came, once', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 150));
    const report = await sweep(scheduledEvent());
    expect(report.resolved).toBeGreaterThanOrEqual(1);
    expect((await rawRequest(requestId))?.status).toBe('timed-out');
    await expect(sweep(scheduledEvent())).resolves.toMatchObject({ resolved: 0 });
  });

  it('an answer, timers and the sweeper racing commit exactly one transition', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 150));
    const now = new Date();
    const outcomes = await Promise.all([
      ...Array.from({ length: 4 }, () =>
        resolveTimedOutRemoteRequest(testTable, { chargerId: CHARGER_ID, requestId }, now),
      ),
      ...Array.from(
        { length: 4 },
        async () =>
          (await recordRemoteResponse(
            testTable,
            remoteResponseEvent({ requestId, status: 'Rejected' }),
            now,
          )) === 'resolved',
      ),
      sweep(scheduledEvent()).then((report) => report.resolved > 0),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(['timed-out', 'rejected']).toContain((await rawRequest(requestId))?.status);
  });

  it('reports a malformed timer as a batch item failure and still resolves the rest of the batch', async () => {
    const requestId = await startAccepted({ chargerId: CHARGER_ID, connectorId, idTag: 'TAG-ALICE' });
    const malformed = sqsRecord({ chargerId: CHARGER_ID, requestId, extra: 1 });
    await expect(timer(sqsEvent(malformed, timerMessage(requestId)))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: malformed.messageId }],
    });
    expect((await rawRequest(requestId))?.status).toBe('timed-out');
  });
});
