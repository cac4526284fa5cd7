import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type MeterEvent, meterRequestAcceptedSchema, type Session } from '@evcharge/domain';
import { getMeterRequest, keys } from '@evcharge/dynamo';
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
  createMeterRequestEvent,
  lambdaContext,
  meterEvent,
  scheduledEvent,
  session as sessionFactory,
} from '../helpers/factories.js';
import { seedCharger, seedSession } from '../helpers/seed.js';
import { sqsEvent, sqsRecord } from '../helpers/sqs-events.js';
import { type SqsRecorder, startSqsRecorder } from '../helpers/sqs-recorder.js';

// The precise time-out: createMeterRequest sends the request's timer (SQS, DelaySeconds = the timeout) once
// the pending request is committed; meterRequestTimer resolves it when the timer arrives. The SQS delay
// itself is the local cloud's and AWS's business (see the e2e test); here the timer is delivered by hand.

const TIMEOUT_S = 1;
const QUEUE = 'metering-local-meter-request-timers';

let testTable: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let sqs: SqsRecorder;
let createMeterRequest: (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;
let timer: (event: SQSEvent) => Promise<SQSBatchResponse>;
let sweep: (event: ScheduledEvent) => Promise<{ due: number; resolved: number }>;
let ingest: (event: MeterEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let resolveTimedOutMeterRequest: typeof import('../../src/meter-request-timeouts.js').resolveTimedOutMeterRequest;
let connectorId = 0;
let current: Session;

beforeAll(async () => {
  testTable = await createTestTable('metering-timer');
  iotDataPlane = await startIotDataPlaneRecorder();
  sqs = await startSqsRecorder();
  process.env.TABLE_NAME = testTable.tableName;
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotDataPlane.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  process.env.METER_REQUEST_TIMER_QUEUE_URL = sqs.queueUrl(QUEUE);
  process.env.METER_REQUEST_TIMEOUT_S = String(TIMEOUT_S);
  ({ handler: createMeterRequest } = await import('../../src/handlers/create-meter-request.js'));
  const timerModule = await import('../../src/handlers/meter-request-timer.js');
  timer = (event) => timerModule.handler(event, lambdaContext('meterRequestTimer'));
  const sweepModule = await import('../../src/handlers/meter-request-timeouts.js');
  sweep = (event) => sweepModule.handler(event, lambdaContext('meterRequestTimeouts'));
  ({ handler: ingest } = await import('../../src/handlers/ingest-reading.js'));
  ({ resolveTimedOutMeterRequest } = await import('../../src/meter-request-timeouts.js'));
  await seedCharger(testTable, CHARGER_ID, 10);
});

afterAll(async () => {
  await sqs.close();
  await iotDataPlane.close();
  await testTable.drop();
});

beforeEach(async () => {
  connectorId += 1;
  sqs.onSend = undefined;
  current = await seedSession(
    testTable,
    sessionFactory({
      connectorId,
      energyStartWh: 10_000,
      latestRegisterWh: 11_000,
      lastReadingAt: '2026-11-25T06:00:00.000Z',
      energyWh: 1000,
      costMinor: 350,
      powerW: 7000,
    }),
  );
});

async function requestReading(): Promise<string> {
  const result = await createMeterRequest(
    createMeterRequestEvent(current.sessionId),
    lambdaContext('createMeterRequest'),
  );
  expect(result.statusCode).toBe(202);
  return meterRequestAcceptedSchema.parse(JSON.parse(String(result.body))).requestId;
}

const timerMessage = (requestId: string) => sqsRecord({ sessionId: current.sessionId, requestId });

const rawRequest = async (requestId: string) =>
  (
    await testTable.client.send(
      new GetCommand({
        TableName: testTable.tableName,
        Key: keys.meterRequest(current.sessionId, requestId),
      }),
    )
  ).Item;

describe('createMeterRequest arms the timer', () => {
  it('sends {sessionId, requestId} with DelaySeconds = the timeout, after the pending request is committed and before the publish', async () => {
    const seenAtSend: unknown[] = [];
    const publishesBefore = iotDataPlane.publishes.length;
    sqs.onSend = async (message) => {
      const { requestId } = message.body as { requestId: string };
      seenAtSend.push([
        (await getMeterRequest(testTable, current.sessionId, requestId))?.status,
        iotDataPlane.publishes.length - publishesBefore,
      ]);
    };
    const requestId = await requestReading();
    expect(sqs.sent.at(-1)).toMatchObject({
      queueUrl: sqs.queueUrl(QUEUE),
      body: { sessionId: current.sessionId, requestId },
      delaySeconds: TIMEOUT_S,
    });
    expect(seenAtSend).toEqual([['pending', 0]]); // committed, charger not asked yet
    expect(iotDataPlane.publishes.at(-1)?.payload).toMatchObject({ requestId });
  });

  it('still answers 202 and asks the charger when the timer cannot be sent (the sweeper is the backstop)', async () => {
    const sentBefore = sqs.sent.length;
    await sqs.close(); // every send now fails to connect
    try {
      const requestId = await requestReading();
      expect(sqs.sent.length).toBe(sentBefore);
      expect(iotDataPlane.publishes.at(-1)?.payload).toMatchObject({ requestId });
      expect((await rawRequest(requestId))?.status).toBe('pending');
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 150));
      await sweep(scheduledEvent());
      expect((await rawRequest(requestId))?.status).toBe('unavailable');
    } finally {
      sqs = await startSqsRecorder(); // for afterAll; the handler's client keeps the closed endpoint
    }
  });
});

describe('meterRequestTimer', () => {
  it('resolves a pending request as unavailable with the last known values, and disarms the sweeper', async () => {
    const requestId = await requestReading();
    await expect(timer(sqsEvent(timerMessage(requestId)))).resolves.toEqual({ batchItemFailures: [] });
    const unavailable = await rawRequest(requestId);
    expect(unavailable).toMatchObject({
      status: 'unavailable',
      energyWh: 1000,
      costMinor: 350,
      powerW: 7000,
      currency: 'KRW',
      lastReadingAt: '2026-11-25T06:00:00.000Z',
      resolvedAt: expect.any(String),
    });
    expect(unavailable).not.toHaveProperty('duePk');
    expect(unavailable).not.toHaveProperty('dueAt');
  });

  it('is a no-op for a request the charger answered first', async () => {
    const requestId = await requestReading();
    await ingest(
      meterEvent({
        connectorId,
        context: 'Trigger',
        requestId,
        at: '2026-11-25T06:07:00.000Z',
        energy: { value: 11.5, unit: 'kWh' },
        powerW: 7400,
      }),
      lambdaContext('ingestReading'),
    );
    const answered = await rawRequest(requestId);
    expect(answered?.status).toBe('answered');
    await expect(timer(sqsEvent(timerMessage(requestId)))).resolves.toEqual({ batchItemFailures: [] });
    expect(await rawRequest(requestId)).toEqual(answered);
  });

  it('a duplicate delivery (later, and twice in one batch) yields one transition', async () => {
    const requestId = await requestReading();
    await timer(sqsEvent(timerMessage(requestId), timerMessage(requestId)));
    const unavailable = await rawRequest(requestId);
    await expect(timer(sqsEvent(timerMessage(requestId)))).resolves.toEqual({ batchItemFailures: [] });
    expect(await rawRequest(requestId)).toEqual(unavailable);

    // The committed transitions themselves: of ten concurrent deliveries exactly one writes.
    const other = await requestReading();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        resolveTimedOutMeterRequest(
          testTable,
          { sessionId: current.sessionId, requestId: other },
          new Date(),
        ),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('the timer and the sweeper racing at the deadline commit one transition between them', async () => {
    const requestId = await requestReading();
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 150));
    const [byTimer, bySweep] = await Promise.all([
      resolveTimedOutMeterRequest(testTable, { sessionId: current.sessionId, requestId }, new Date()),
      sweep(scheduledEvent()),
    ]);
    expect(Number(byTimer) + bySweep.resolved).toBe(1);
    const unavailable = await rawRequest(requestId);
    expect(unavailable?.status).toBe('unavailable');
    // Whichever came second, and any later run, changes nothing.
    await timer(sqsEvent(timerMessage(requestId)));
    await expect(sweep(scheduledEvent())).resolves.toEqual({ due: 0, resolved: 0 });
    expect(await rawRequest(requestId)).toEqual(unavailable);
  });

  it('reports a malformed message as a batch item failure and still resolves the rest of the batch', async () => {
    const requestId = await requestReading();
    const malformed = sqsRecord('not json');
    const unknownField = sqsRecord({ sessionId: current.sessionId, requestId, extra: 1 });
    await expect(timer(sqsEvent(malformed, timerMessage(requestId), unknownField))).resolves.toEqual({
      batchItemFailures: [
        { itemIdentifier: malformed.messageId },
        { itemIdentifier: unknownField.messageId },
      ],
    });
    expect((await rawRequest(requestId))?.status).toBe('unavailable');
  });

  it('ignores a timer for a request that does not exist', async () => {
    await expect(
      timer(sqsEvent(sqsRecord({ sessionId: current.sessionId, requestId: randomUUID() }))),
    ).resolves.toEqual({ batchItemFailures: [] });
  });
});
