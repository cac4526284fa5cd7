import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type MeterEvent, meterRequestAcceptedSchema, type Session } from '@evcharge/domain';
import { getMeterRequest, getSession, keys } from '@evcharge/dynamo';
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
} from 'aws-lambda';
import { type CommandCounter, countCommands } from '../helpers/command-counter.js';
import {
  CHARGER_ID,
  createMeterRequestEvent,
  lambdaContext,
  meterEvent,
  scheduledEvent,
  session as sessionFactory,
} from '../helpers/factories.js';
import { seedCharger, seedSession } from '../helpers/seed.js';

// The on-demand path: POST → pending request → Trigger reading answers it, or the sweeper times it out.
// The time-out is 1 s here (METER_REQUEST_TIMEOUT_S), so the tests wait for real deadlines.

const TIMEOUT_S = 1;

let testTable: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let counter: CommandCounter;
let ingest: (event: MeterEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let createMeterRequest: (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;
let sweep: (event: ScheduledEvent) => Promise<{ due: number; resolved: number }>;
let connectorId = 0;
let current: Session;

beforeAll(async () => {
  testTable = await createTestTable('metering-requests');
  iotDataPlane = await startIotDataPlaneRecorder();
  process.env.TABLE_NAME = testTable.tableName;
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotDataPlane.endpoint;
  process.env.METER_REQUEST_TIMEOUT_S = String(TIMEOUT_S);
  ({ handler: ingest } = await import('../../src/handlers/ingest-reading.js'));
  ({ handler: createMeterRequest } = await import('../../src/handlers/create-meter-request.js'));
  const sweepModule = await import('../../src/handlers/meter-request-timeouts.js');
  sweep = (event) => sweepModule.handler(event, lambdaContext('meterRequestTimeouts'));
  counter = countCommands((await import('../../src/config.js')).table.client);
  await seedCharger(testTable, CHARGER_ID, 10);
});

afterAll(async () => {
  await iotDataPlane.close();
  await testTable.drop();
});

beforeEach(async () => {
  connectorId += 1;
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

const triggerReading = (requestId: string, registerWh: number, overrides: Partial<MeterEvent> = {}) =>
  meterEvent({
    connectorId,
    context: 'Trigger',
    requestId,
    at: '2026-11-25T06:07:00.000Z',
    energy: { value: registerWh / 1000, unit: 'kWh' },
    powerW: 7400,
    ...overrides,
  });

const rawRequest = async (requestId: string) =>
  (
    await testTable.client.send(
      new GetCommand({
        TableName: testTable.tableName,
        Key: keys.meterRequest(current.sessionId, requestId),
      }),
    )
  ).Item;

const pastDeadline = () => new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 150));

describe('a Trigger reading answers the request', () => {
  it('moves the session and resolves the request with the fresh values in one transaction', async () => {
    const requestId = await requestReading();
    const published = iotDataPlane.publishes.at(-1);
    expect(published?.payload).toMatchObject({ requestId, connectorId });

    counter.reset();
    await expect(
      ingest(triggerReading(requestId, 11_500), lambdaContext('ingestReading')),
    ).resolves.toMatchObject({
      applied: true,
      answeredRequestId: requestId,
    });
    expect(counter.writes()).toEqual(['PutItemCommand', 'TransactWriteItemsCommand']);

    expect(await getSession(testTable, current.sessionId)).toMatchObject({
      latestRegisterWh: 11_500,
      energyWh: 1500,
      costMinor: 525,
      powerW: 7400,
    });
    const answered = await rawRequest(requestId);
    expect(answered).toMatchObject({
      status: 'answered',
      energyWh: 1500,
      costMinor: 525,
      powerW: 7400,
      currency: 'KRW',
      lastReadingAt: '2026-11-25T06:07:00.000Z',
    });
    expect(answered).not.toHaveProperty('duePk');
    expect(answered).not.toHaveProperty('dueAt');
  });

  it('answers once: a duplicate Trigger reading and a later sweep change nothing', async () => {
    const requestId = await requestReading();
    const trigger = triggerReading(requestId, 11_500);
    await ingest(trigger, lambdaContext('ingestReading'));
    const answered = await rawRequest(requestId);
    await expect(ingest(trigger, lambdaContext('ingestReading'))).resolves.toMatchObject({
      stored: 'duplicate',
    });
    await pastDeadline();
    await sweep(scheduledEvent());
    expect(await rawRequest(requestId)).toEqual(answered);
  });

  it('answers with the session’s values when the Trigger reading itself is not applied', async () => {
    const requestId = await requestReading();
    await expect(
      ingest(triggerReading(requestId, 10_500), lambdaContext('ingestReading')), // below the latest register
    ).resolves.toMatchObject({ anomaly: 'register-regression', answeredRequestId: requestId });
    expect(await getMeterRequest(testTable, current.sessionId, requestId)).toMatchObject({
      status: 'answered',
      energyWh: 1000,
      costMinor: 350,
      powerW: 7000,
    });
  });
});

describe('the time-out sweeper', () => {
  it('resolves an unanswered request as unavailable with the last known values, once', async () => {
    const requestId = await requestReading();
    await pastDeadline();
    const first = await sweep(scheduledEvent());
    expect(first.resolved).toBeGreaterThanOrEqual(1);
    const unavailable = await rawRequest(requestId);
    expect(unavailable).toMatchObject({
      status: 'unavailable',
      energyWh: 1000,
      costMinor: 350,
      powerW: 7000,
      currency: 'KRW',
      lastReadingAt: '2026-11-25T06:00:00.000Z',
    });
    expect(unavailable).not.toHaveProperty('duePk');

    await expect(sweep(scheduledEvent())).resolves.toEqual({ due: 0, resolved: 0 });
    expect(await rawRequest(requestId)).toEqual(unavailable);
  });

  it('leaves a request alone before its deadline', async () => {
    const requestId = await requestReading();
    await sweep(scheduledEvent());
    expect((await rawRequest(requestId))?.status).toBe('pending');
  });

  it('a Trigger reading after the time-out still moves the session but does not re-resolve', async () => {
    const requestId = await requestReading();
    await pastDeadline();
    await sweep(scheduledEvent());
    const unavailable = await rawRequest(requestId);
    await expect(
      ingest(triggerReading(requestId, 11_800), lambdaContext('ingestReading')),
    ).resolves.not.toHaveProperty('answeredRequestId');
    expect(await rawRequest(requestId)).toEqual(unavailable);
    expect((await getSession(testTable, current.sessionId))?.latestRegisterWh).toBe(11_800);
  });
});
