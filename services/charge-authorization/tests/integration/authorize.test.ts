// @lane isolated: 50 concurrent requests race for one connector; their timing must not depend on other suites.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuthRequestEvent,
  type AuthResponsePayload,
  authResponsePayloadSchema,
  chargerTopic,
} from '@evcharge/domain';
import {
  addIdTag,
  blockIdTag,
  deadlinePartitionFor,
  getCharger,
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
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { authRequestEvent, lambdaContext, useServiceEnv } from '../helpers/factories.js';
import { attemptsOf, sessionsOn, setConnector } from '../helpers/table-state.js';

let table: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let authorize: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  iotDataPlane = await startIotDataPlaneRecorder();
  table = await createTestTable('charge-authorization');
  useServiceEnv(table.tableName, iotDataPlane.endpoint);
  const { handler } = await import('../../src/handlers/authorize.js');
  authorize = (event) => handler(event, lambdaContext());
});

afterAll(async () => {
  await table.drop();
  await iotDataPlane.close();
});

beforeEach(() => {
  iotDataPlane.failWith = undefined;
});

let chargerCounter = 0;
/** A fresh registered charger per test, so tests never see each other's connectors or sessions. */
async function freshCharger(connectorCount = 2): Promise<string> {
  chargerCounter += 1;
  const chargerId = `CP-AUTH-${chargerCounter}`;
  await registerCharger(table, { chargerId, connectorCount, now: new Date('2026-11-25T06:00:00.000Z') });
  return chargerId;
}

async function freshTag(options: { maxConcurrent?: number; expiresAt?: string } = {}): Promise<string> {
  chargerCounter += 1;
  const idTag = `TAG-${chargerCounter}`;
  await addIdTag(table, { idTag, userId: `user-${idTag}`, ...options });
  return idTag;
}

function responsesTo(chargerId: string): AuthResponsePayload[] {
  return iotDataPlane
    .publishesTo(chargerTopic('authResponse', chargerId))
    .map((publish) => authResponsePayloadSchema.parse(publish.payload));
}

/** Sends one request through the real handler and returns the single response the charger received. */
async function requestAnswer(event: AuthRequestEvent): Promise<AuthResponsePayload> {
  const before = responsesTo(event.chargerId).length;
  await authorize(event);
  const responses = responsesTo(event.chargerId).slice(before);
  expect(responses).toHaveLength(1);
  return responses[0]!;
}

describe('authorize: every status through the real handler', () => {
  it('Accepted on a free unplugged connector: Authorized session, connector claimed, tag counted, QoS 1', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await setConnector(table, chargerId, 1, { lastRegisterWh: 42_000 });
    // Recent: a request processed over 30 s after receipt would not refresh liveness.
    const receivedAt = Date.now() - 1_000;
    const receivedAtIso = new Date(receivedAt).toISOString();
    const event = authRequestEvent({ chargerId, idTag, connectorId: 1, receivedAt });

    const response = await requestAnswer(event);

    expect(response).toEqual({
      requestId: event.requestId,
      status: 'Accepted',
      sessionId: expect.any(String),
      at: expect.any(String),
    });
    expect(iotDataPlane.publishesTo(`chargers/${chargerId}/auth/response`)[0]?.qos).toBe(1);
    const sessionId = response.sessionId!;
    expect(await getSession(table, sessionId)).toEqual({
      sessionId,
      chargerId,
      connectorId: 1,
      userId: `user-${idTag}`,
      idTag,
      status: 'Authorized',
      startedAt: receivedAtIso,
      energyStartWh: 42_000,
      energyWh: 0,
      costMinor: 0,
      pricePerKwhMinor: 350,
      currency: 'KRW',
    });
    const { Item: sessionItem } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
    );
    expect(sessionItem).toMatchObject({
      entityType: 'Session',
      duePk: deadlinePartitionFor('session-expiry', sessionId),
      dueAt: receivedAt + 120_000,
    });
    // Listed under its user by an entry of its own, so the session's totals never rewrite an index entry.
    expect(sessionItem).not.toHaveProperty('gsi1pk');
    const { Item: userEntry } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.userSession(sessionId) }),
    );
    expect(userEntry).toMatchObject({
      entityType: 'UserSession',
      gsi1pk: `USER#user-${idTag}`,
      gsi1sk: `SESSION#${receivedAtIso}#${sessionId}`,
    });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      activeSessionId: sessionId,
      status: 'Preparing',
    });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
    expect((await getCharger(table, chargerId))?.lastSeenAt).toBeUndefined(); // no liveness write
    expect(await attemptsOf(table, chargerId)).toEqual([
      {
        chargerId,
        requestId: event.requestId,
        connectorId: 1,
        idTag,
        userId: `user-${idTag}`,
        status: 'Accepted',
        sessionId,
        decidedAt: response.at,
      },
    ]);
  });

  it('Accepted on a plugged connector starts a Charging session with no expiry deadline', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await setConnector(table, chargerId, 2, { plugged: true });
    const event = authRequestEvent({ chargerId, idTag, connectorId: 2 });

    const response = await requestAnswer(event);

    expect(response.status).toBe('Accepted');
    const session = await getSession(table, response.sessionId!);
    expect(session).toMatchObject({ status: 'Charging', chargingStartedAt: session?.startedAt });
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: keys.session(response.sessionId!) }),
    );
    expect(Item).not.toHaveProperty('duePk');
    expect(await getConnector(table, chargerId, 2)).toMatchObject({ status: 'Charging' });
  });

  it('Invalid for an unknown idTag, recorded without a userId', async () => {
    const chargerId = await freshCharger();
    const event = authRequestEvent({ chargerId, idTag: 'NO-SUCH-TAG' });

    expect(await requestAnswer(event)).toEqual({
      requestId: event.requestId,
      status: 'Invalid',
      reason: 'idtag-unknown',
      at: expect.any(String),
    });
    const [attempt] = await attemptsOf(table, chargerId);
    expect(attempt).toMatchObject({ status: 'Invalid', reason: 'idtag-unknown', idTag: 'NO-SUCH-TAG' });
    expect(attempt).not.toHaveProperty('userId');
    expect(await sessionsOn(table, chargerId)).toEqual([]);
  });

  it('Blocked for an operator-blocked tag, recorded with the userId to notify', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await blockIdTag(table, idTag);

    const response = await requestAnswer(authRequestEvent({ chargerId, idTag }));

    expect(response).toMatchObject({ status: 'Blocked', reason: 'idtag-blocked' });
    expect(response).not.toHaveProperty('sessionId');
    expect(await attemptsOf(table, chargerId)).toEqual([
      expect.objectContaining({ status: 'Blocked', userId: `user-${idTag}` }),
    ]);
  });

  it('Expired for a tag whose expiresAt has passed at receive time', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag({ expiresAt: '2026-11-25T06:59:59.999Z' });
    const event = authRequestEvent({ chargerId, idTag, receivedAt: Date.parse('2026-11-25T07:00:00.000Z') });

    expect(await requestAnswer(event)).toMatchObject({ status: 'Expired', reason: 'idtag-expired' });
    expect(await getConnector(table, chargerId, 1)).not.toHaveProperty('activeSessionId');
  });

  it('ConcurrentTx for a tag already at its maxConcurrent sessions', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag({ maxConcurrent: 1 });
    expect((await requestAnswer(authRequestEvent({ chargerId, idTag, connectorId: 1 }))).status).toBe(
      'Accepted',
    );

    const second = await requestAnswer(authRequestEvent({ chargerId, idTag, connectorId: 2 }));

    expect(second).toMatchObject({ status: 'ConcurrentTx', reason: 'idtag-concurrent-limit' });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
    expect(await getConnector(table, chargerId, 2)).not.toHaveProperty('activeSessionId');
  });

  it('Unavailable connector-unknown for a connector the charger does not have', async () => {
    const chargerId = await freshCharger(2);
    const idTag = await freshTag();
    const response = await requestAnswer(authRequestEvent({ chargerId, idTag, connectorId: 3 }));
    expect(response).toMatchObject({ status: 'Unavailable', reason: 'connector-unknown' });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });

  it('Unavailable connector-faulted for a faulted connector', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await setConnector(table, chargerId, 1, { faulted: true });
    const response = await requestAnswer(authRequestEvent({ chargerId, idTag, connectorId: 1 }));
    expect(response).toMatchObject({ status: 'Unavailable', reason: 'connector-faulted' });
  });

  it('Unavailable connector-busy for a connector that holds another session', async () => {
    const chargerId = await freshCharger();
    const first = await requestAnswer(authRequestEvent({ chargerId, idTag: await freshTag() }));
    const idTag = await freshTag();

    const response = await requestAnswer(authRequestEvent({ chargerId, idTag }));

    expect(response).toMatchObject({ status: 'Unavailable', reason: 'connector-busy' });
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(first.sessionId);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });
});

describe('authorize: bad input gets no answer', () => {
  it('refuses an unregistered charger: rejected as bad input, nothing written, nothing published', async () => {
    const idTag = await freshTag();
    const event = authRequestEvent({ chargerId: 'CP-NEVER-REGISTERED', idTag });

    const result = await authorize(event);

    expect(result).toMatchObject({ rejected: true, errorClass: 'bad-input', field: 'chargerId' });
    expect(responsesTo('CP-NEVER-REGISTERED')).toEqual([]);
    expect(await attemptsOf(table, 'CP-NEVER-REGISTERED')).toEqual([]);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });

  it('refuses a spoof (client id is not the topic charger) without deciding or answering', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = authRequestEvent({ chargerId, clientId: 'CP-SOMEONE-ELSE', idTag });

    expect(await authorize(event)).toMatchObject({ rejected: true, errorClass: 'spoof' });
    expect(responsesTo(chargerId)).toEqual([]);
    expect(await attemptsOf(table, chargerId)).toEqual([]);
  });

  it('refuses a payload that breaks the contract, naming the field', async () => {
    const chargerId = await freshCharger();
    const event = { ...authRequestEvent({ chargerId }), idTag: 'X'.repeat(21) };
    expect(await authorize(event)).toMatchObject({ rejected: true, field: 'idTag' });
    expect(responsesTo(chargerId)).toEqual([]);
  });

  it('refuses a reused requestId with another idTag or connector, keeping the first decision', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const first = authRequestEvent({ chargerId, idTag, connectorId: 1 });
    const accepted = await requestAnswer(first);

    const otherConnector = await authorize({ ...first, connectorId: 2 });
    const otherTag = await authorize({ ...first, idTag: await freshTag() });

    expect(otherConnector).toMatchObject({ rejected: true, field: 'requestId' });
    expect(otherTag).toMatchObject({ rejected: true, field: 'requestId' });
    expect(responsesTo(chargerId)).toEqual([accepted]);
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
  });
});

describe('authorize: idempotency', () => {
  it('a duplicate delivery gives one session and two identical responses', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = authRequestEvent({ chargerId, idTag });

    await authorize(event);
    await authorize({ ...event, receivedAt: event.receivedAt + 5_000 });

    const responses = responsesTo(chargerId);
    expect(responses).toHaveLength(2);
    expect(responses[1]).toEqual(responses[0]);
    expect(responses[0]?.status).toBe('Accepted');
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
    expect(await attemptsOf(table, chargerId)).toHaveLength(1);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
  });

  it('a duplicate of a rejection repeats the rejection even after the state changed', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    await setConnector(table, chargerId, 1, { faulted: true });
    const event = authRequestEvent({ chargerId, idTag });
    const first = await requestAnswer(event);
    await setConnector(table, chargerId, 1, { faulted: false });

    const again = await requestAnswer(event);

    expect(again).toEqual(first);
    expect(again).toMatchObject({ status: 'Unavailable', reason: 'connector-faulted' });
    expect(await sessionsOn(table, chargerId)).toEqual([]);
  });

  it('concurrent duplicates of one request create one session and all get the same answer', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = authRequestEvent({ chargerId, idTag });

    await Promise.all(Array.from({ length: 8 }, () => authorize(event)));

    const responses = responsesTo(chargerId);
    expect(responses).toHaveLength(8);
    expect(new Set(responses.map((response) => JSON.stringify(response))).size).toBe(1);
    expect(responses[0]?.status).toBe('Accepted');
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
  });

  it('a retry after "committed, then failed to publish" publishes the committed decision', async () => {
    const chargerId = await freshCharger();
    const idTag = await freshTag();
    const event = authRequestEvent({ chargerId, idTag });

    iotDataPlane.failWith = 503;
    await expect(authorize(event)).rejects.toThrow();
    expect(responsesTo(chargerId)).toEqual([]);
    const [committed] = await attemptsOf(table, chargerId);
    expect(committed?.status).toBe('Accepted');

    iotDataPlane.failWith = undefined;
    const response = await requestAnswer(event);

    expect(response).toEqual({
      requestId: event.requestId,
      status: 'Accepted',
      sessionId: committed?.sessionId,
      at: committed?.decidedAt,
    });
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
  });
});

describe('authorize: the race', () => {
  it('50 concurrent requests with different valid tags on one connector: exactly one Accepted', async () => {
    const chargerId = await freshCharger(1);
    const idTags = await Promise.all(Array.from({ length: 50 }, () => freshTag()));
    const events = idTags.map((idTag) => authRequestEvent({ chargerId, idTag, connectorId: 1 }));

    const startedAt = performance.now();
    await Promise.all(events.map((event) => authorize(event)));
    const elapsedMs = performance.now() - startedAt;

    const responses = responsesTo(chargerId);
    expect(responses).toHaveLength(50);
    expect(new Set(responses.map((response) => response.requestId))).toEqual(
      new Set(events.map((event) => event.requestId)),
    );
    const accepted = responses.filter((response) => response.status === 'Accepted');
    expect(accepted).toHaveLength(1);
    expect(responses.filter((response) => response.status === 'Unavailable')).toHaveLength(49);
    expect(
      responses.every((response) => response.status === 'Accepted' || response.reason === 'connector-busy'),
    ).toBe(true);

    const sessions = await sessionsOn(table, chargerId);
    expect(sessions.map((session) => session.sessionId)).toEqual([accepted[0]?.sessionId]);
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(accepted[0]?.sessionId);
    const counts = await Promise.all(
      idTags.map(async (idTag) => (await getIdTag(table, idTag))?.activeSessionCount),
    );
    expect(counts.reduce((sum, count) => (sum ?? 0) + (count ?? 0), 0)).toBe(1);
    expect(await attemptsOf(table, chargerId)).toHaveLength(50);
    console.info(`race: 50 concurrent auth requests decided in ${Math.round(elapsedMs)} ms`);
  });

  it('one tag racing for two connectors at its limit: one Accepted, the other ConcurrentTx', async () => {
    const chargerId = await freshCharger(2);
    const idTag = await freshTag({ maxConcurrent: 1 });

    const events = [1, 2].map((connectorId) => authRequestEvent({ chargerId, idTag, connectorId }));
    await Promise.all(events.map((event) => authorize(event)));

    const statuses = responsesTo(chargerId)
      .map((response) => response.status)
      .sort();
    expect(statuses).toEqual(['Accepted', 'ConcurrentTx']);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
    expect(await sessionsOn(table, chargerId)).toHaveLength(1);
  });
});
