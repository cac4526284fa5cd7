import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  chargerTopic,
  type OrphanTransactionStop,
  type TransactionStartResponsePayload,
  type TransactionStopResponsePayload,
  transactionStartResponsePayloadSchema,
  transactionStopResponsePayloadSchema,
} from '@evcharge/domain';
import {
  addIdTag,
  entityOf,
  getConnector,
  getIdTag,
  getSession,
  keys,
  registerCharger,
} from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  authRequestEvent,
  lambdaContext,
  transactionStartEvent,
  transactionStopEvent,
  useServiceEnv,
} from '../helpers/factories.js';
import { scanEntities, sessionsOn } from '../helpers/table-state.js';

// OCPP StartTransaction / StopTransaction (contract v2) through the real handlers, against DynamoDB Local.
let table: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let startHandler: (event: unknown) => Promise<unknown>;
let stopHandler: (event: unknown) => Promise<unknown>;
let authorize: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  iotDataPlane = await startIotDataPlaneRecorder();
  table = await createTestTable('charge-authorization-transactions');
  useServiceEnv(table.tableName, iotDataPlane.endpoint);
  const start = await import('../../src/handlers/transaction-start.js');
  const stop = await import('../../src/handlers/transaction-stop.js');
  const auth = await import('../../src/handlers/authorize.js');
  startHandler = (event) => start.handler(event, lambdaContext('transaction-start'));
  stopHandler = (event) => stop.handler(event, lambdaContext('transaction-stop'));
  authorize = (event) => auth.handler(event, lambdaContext('authorize'));
});

afterAll(async () => {
  await table.drop();
  await iotDataPlane.close();
});

let counter = 0;
async function freshCharger(): Promise<string> {
  counter += 1;
  const chargerId = `CP-TX-${counter}`;
  await registerCharger(table, { chargerId, connectorCount: 2, now: new Date('2026-11-25T06:00:00.000Z') });
  return chargerId;
}

async function freshTag(): Promise<string> {
  counter += 1;
  const idTag = `TXTAG-${counter}`;
  await addIdTag(table, { idTag, userId: `user-${idTag}` });
  return idTag;
}

const startAnswers = (chargerId: string): TransactionStartResponsePayload[] =>
  iotDataPlane
    .publishesTo(chargerTopic('transactionStartResponse', chargerId))
    .map((publish) => transactionStartResponsePayloadSchema.parse(publish.payload));
const stopAnswers = (chargerId: string): TransactionStopResponsePayload[] =>
  iotDataPlane
    .publishesTo(chargerTopic('transactionStopResponse', chargerId))
    .map((publish) => transactionStopResponsePayloadSchema.parse(publish.payload));

async function start(event: ReturnType<typeof transactionStartEvent>) {
  const before = startAnswers(event.chargerId).length;
  await startHandler(event);
  const answers = startAnswers(event.chargerId).slice(before);
  expect(answers).toHaveLength(1);
  return answers[0]!;
}

async function stop(event: ReturnType<typeof transactionStopEvent>) {
  const before = stopAnswers(event.chargerId).length;
  await stopHandler(event);
  const answers = stopAnswers(event.chargerId).slice(before);
  expect(answers).toHaveLength(1);
  return answers[0]!;
}

const startedAt = Date.parse('2026-11-25T07:00:00.000Z');

describe('transaction/start', () => {
  it('accepted: a Charging session with the transactionId, connector claimed, tag counted', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = transactionStartEvent({ chargerId, idTag, meterStart: 5_000 });

    const answer = await start(event);

    expect(answer).toMatchObject({
      requestId: event.requestId,
      transactionId: expect.any(Number),
      sessionId: expect.any(String),
      idTagInfo: { status: 'Accepted' },
    });
    expect(answer.transactionId).toBeGreaterThan(0);
    expect(await getSession(table, answer.sessionId!)).toMatchObject({
      status: 'Charging',
      transactionId: answer.transactionId,
      energyStartWh: 5_000,
      startedAt: event.at,
      userId: `user-${idTag}`,
    });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      activeSessionId: answer.sessionId,
      status: 'Charging',
    });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
  });

  it('a repeated start gets the same transactionId and creates nothing; another meterStart is bad input', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = transactionStartEvent({ chargerId, idTag });

    const first = await start(event);
    const again = await start({ ...event, requestId: event.requestId });
    const retried = await start({ ...event, receivedAt: event.receivedAt + 5_000 });

    expect(again).toEqual(first);
    expect(retried.transactionId).toBe(first.transactionId);
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);

    const before = startAnswers(chargerId).length;
    expect(await startHandler({ ...event, meterStart: event.meterStart + 1 })).toMatchObject({
      rejected: true,
      errorClass: 'bad-input',
      field: 'meterStart',
    });
    expect(startAnswers(chargerId)).toHaveLength(before);
  });

  it('gives different starts different transactionIds', async () => {
    const [first, second] = [await freshCharger(), await freshCharger()];
    const [one, two] = await Promise.all([
      start(transactionStartEvent({ chargerId: first, idTag: await freshTag() })),
      start(transactionStartEvent({ chargerId: second, idTag: await freshTag() })),
    ]);
    expect(one.transactionId).not.toBe(two.transactionId);
  });

  it('refused: a transactionId and idTagInfo Invalid, no session; its stop is answered and completes nothing', async () => {
    const chargerId = await freshCharger();
    const event = transactionStartEvent({ chargerId, idTag: 'NO-SUCH-TAG' });

    const answer = await start(event);

    expect(answer).toEqual({
      requestId: event.requestId,
      transactionId: expect.any(Number),
      idTagInfo: { status: 'Invalid' },
      at: expect.any(String),
    });
    expect(await sessionsOn(table, chargerId)).toEqual([]);
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBeUndefined();

    const stopEvent = transactionStopEvent({
      chargerId,
      transactionId: answer.transactionId,
      meterStop: 1_000,
    });
    expect(await stop(stopEvent)).toEqual({ requestId: stopEvent.requestId, at: expect.any(String) });
    expect(await sessionsOn(table, chargerId)).toEqual([]);
    expect(await scanEntities<OrphanTransactionStop>(table, 'OrphanTransactionStop')).not.toContainEqual(
      expect.objectContaining({ chargerId }),
    );
  });

  it('attaches to the session a v1 auth/request opened for the same tag on that connector', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await authorize(authRequestEvent({ chargerId, idTag, connectorId: 1 }));
    const [authorized] = await sessionsOn(table, chargerId);
    expect(authorized?.status).toBe('Authorized');

    const answer = await start(transactionStartEvent({ chargerId, idTag, meterStart: 700 }));

    expect(answer).toMatchObject({ sessionId: authorized?.sessionId, idTagInfo: { status: 'Accepted' } });
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
    const session = await getSession(table, authorized!.sessionId);
    expect(session).toMatchObject({
      status: 'Charging',
      transactionId: answer.transactionId,
      energyStartWh: 700,
    });
    expect(session).not.toHaveProperty('duePk');
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
    expect((await getConnector(table, chargerId, 1))?.status).toBe('Charging');
  });

  it('an unregistered charger is bad input and is not answered', async () => {
    const event = transactionStartEvent({ chargerId: 'CP-TX-NOBODY', idTag: await freshTag() });
    expect(await startHandler(event)).toMatchObject({ errorClass: 'bad-input', field: 'chargerId' });
    expect(startAnswers('CP-TX-NOBODY')).toEqual([]);
  });
});

describe('transaction/stop', () => {
  async function started(meterStart = 1_000) {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const answer = await start(
      transactionStartEvent({ chargerId, idTag, meterStart, at: new Date(startedAt).toISOString() }),
    );
    return { chargerId, idTag, answer };
  }

  it('completes the session with energy, cost, stopReason and endedAt; frees the connector and the tag', async () => {
    const { chargerId, idTag, answer } = await started(1_000);
    const event = transactionStopEvent({
      chargerId,
      transactionId: answer.transactionId,
      meterStop: 12_500,
      reason: 'EVDisconnected',
      idTag,
      at: new Date(startedAt + 3_600_000).toISOString(),
    });

    expect(await stop(event)).toEqual({
      requestId: event.requestId,
      idTagInfo: { status: 'Accepted' },
      at: expect.any(String),
    });
    expect(await getSession(table, answer.sessionId!)).toMatchObject({
      status: 'Completed',
      energyWh: 11_500,
      costMinor: 4025,
      stopReason: 'EVDisconnected',
      endedAt: event.at,
      durationS: 3600,
    });
    const connector = await getConnector(table, chargerId, 1);
    expect(connector?.activeSessionId).toBeUndefined();
    expect(connector?.status).toBe('Available');
    // The stop's register is the connector's latest: the next session (or a reading without a transaction) starts from it.
    expect(connector).toMatchObject({ lastRegisterWh: 12_500, lastReadingAt: event.at });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });

  it('defaults stopReason to Local; a repeated stop changes nothing and is answered again', async () => {
    const { chargerId, idTag, answer } = await started(1_000);
    const event = transactionStopEvent({ chargerId, transactionId: answer.transactionId, meterStop: 3_000 });

    await stop(event);
    const completed = await getSession(table, answer.sessionId!);
    const again = await stop({ ...event, meterStop: 9_999 });

    expect(completed).toMatchObject({ status: 'Completed', stopReason: 'Local', energyWh: 2_000 });
    expect(again).toEqual({ requestId: event.requestId, at: expect.any(String) });
    expect(await getSession(table, answer.sessionId!)).toEqual(completed);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });

  it('a meterStop below meterStart is bad input naming meterStop, and changes nothing', async () => {
    const { chargerId, answer } = await started(5_000);
    expect(
      await stopHandler(
        transactionStopEvent({ chargerId, transactionId: answer.transactionId, meterStop: 4_999 }),
      ),
    ).toMatchObject({ errorClass: 'bad-input', field: 'meterStop' });
    expect(stopAnswers(chargerId)).toEqual([]);
    expect((await getSession(table, answer.sessionId!))?.status).toBe('Charging');
  });

  it('an unknown transactionId is an orphan: kept, answered, nothing completed', async () => {
    const chargerId = await freshCharger();
    const event = transactionStopEvent({
      chargerId,
      transactionId: 2_000_000_001,
      meterStop: 4_000,
      idTag: 'GHOST',
    });

    expect(await stop(event)).toEqual({
      requestId: event.requestId,
      idTagInfo: { status: 'Invalid' },
      at: expect.any(String),
    });
    await stop(event);

    const { Item } = await table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.orphanTransactionStop(chargerId, 2_000_000_001),
      }),
    );
    expect(entityOf<OrphanTransactionStop>(Item!)).toEqual({
      chargerId,
      transactionId: 2_000_000_001,
      requestId: event.requestId,
      meterStop: 4_000,
      at: event.at,
      reason: 'Local',
      idTag: 'GHOST',
      receivedAt: event.receivedAt,
    });
  });

  it('a stop naming another charger’s transaction is an orphan and leaves that session alone', async () => {
    const { answer } = await started();
    const other = await freshCharger();
    await stop(transactionStopEvent({ chargerId: other, transactionId: answer.transactionId }));
    expect((await getSession(table, answer.sessionId!))?.status).toBe('Charging');
  });
});
