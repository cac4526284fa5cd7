import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AuthResponsePayload, authResponsePayloadSchema, chargerTopic } from '@evcharge/domain';
import { addIdTag, getConnector, getIdTag, getSession, keys, registerCharger } from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authRequestEvent, lambdaContext, scheduledEvent, useServiceEnv } from '../helpers/factories.js';
import { setConnector } from '../helpers/table-state.js';

interface SweepResult {
  due: number;
  expired: number;
  skipped: number;
}

let table: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let authorize: (event: unknown) => Promise<unknown>;
let sweep: () => Promise<SweepResult>;

beforeAll(async () => {
  iotDataPlane = await startIotDataPlaneRecorder();
  table = await createTestTable('expire-sessions');
  useServiceEnv(table.tableName, iotDataPlane.endpoint);
  const authorizeModule = await import('../../src/handlers/authorize.js');
  const expireModule = await import('../../src/handlers/expire-sessions.js');
  authorize = (event) => authorizeModule.handler(event, lambdaContext());
  sweep = () => expireModule.handler(scheduledEvent(), lambdaContext('expire-sessions'));
});

afterAll(async () => {
  await table.drop();
  await iotDataPlane.close();
});

let counter = 0;
const TIMED_OUT_MS = 200_000; // past the 120 s connection timeout

/** Authorizes a fresh tag on a fresh charger's connector 1, as if the request arrived `ageMs` ago. */
async function authorizedSession(options: { ageMs: number; plugged?: boolean }) {
  counter += 1;
  const chargerId = `CP-EXP-${counter}`;
  const idTag = `TAG-EXP-${counter}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date() });
  await addIdTag(table, { idTag, userId: `user-${counter}` });
  if (options.plugged) await setConnector(table, chargerId, 1, { plugged: true });
  await authorize(authRequestEvent({ chargerId, idTag, receivedAt: Date.now() - options.ageMs }));
  const [publish] = iotDataPlane.publishesTo(chargerTopic('authResponse', chargerId));
  const response: AuthResponsePayload = authResponsePayloadSchema.parse(publish?.payload);
  expect(response.status).toBe('Accepted');
  return { chargerId, idTag, sessionId: response.sessionId! };
}

async function sessionItem(sessionId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
  );
  return Item;
}

describe('expire-sessions', () => {
  it('expires an Authorized session past the timeout, frees its connector and gives the tag back', async () => {
    const { chargerId, idTag, sessionId } = await authorizedSession({ ageMs: TIMED_OUT_MS });
    const before = Date.now();

    const result = await sweep();

    expect(result.expired).toBeGreaterThanOrEqual(1);
    const session = await getSession(table, sessionId);
    expect(session?.status).toBe('Expired');
    expect(Date.parse(session?.endedAt ?? '')).toBeGreaterThanOrEqual(before);
    expect(await sessionItem(sessionId)).not.toHaveProperty('duePk');
    const connector = await getConnector(table, chargerId, 1);
    expect(connector).not.toHaveProperty('activeSessionId');
    expect(connector?.status).toBe('Available');
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);

    // The connector takes a new session again.
    await authorize(authRequestEvent({ chargerId, idTag }));
    const responses = iotDataPlane.publishesTo(chargerTopic('authResponse', chargerId));
    expect(responses.map((publish) => (publish.payload as AuthResponsePayload).status)).toEqual([
      'Accepted',
      'Accepted',
    ]);
  });

  it('leaves a session that is not yet past the timeout alone', async () => {
    const { chargerId, sessionId } = await authorizedSession({ ageMs: 0 });
    await sweep();
    expect((await getSession(table, sessionId))?.status).toBe('Authorized');
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(sessionId);
  });

  it('never touches a Charging session, however old', async () => {
    const { chargerId, idTag, sessionId } = await authorizedSession({ ageMs: TIMED_OUT_MS, plugged: true });
    await sweep();
    expect((await getSession(table, sessionId))?.status).toBe('Charging');
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(sessionId);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
  });

  it('skips a session plugged meanwhile even while the index still lists it (someone else won)', async () => {
    const { chargerId, idTag, sessionId } = await authorizedSession({ ageMs: TIMED_OUT_MS });
    // PLUG-EVENTS moved it to Charging; its duePk is left in place to model the window before removal.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.session(sessionId),
        UpdateExpression: 'SET #status = :charging',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':charging': 'Charging' },
      }),
    );

    const result = await sweep();

    expect(result.skipped).toBeGreaterThanOrEqual(1);
    expect((await getSession(table, sessionId))?.status).toBe('Charging');
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(sessionId);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(1);
  });

  it('is idempotent when run twice and concurrently: each session expires once, counts never go below 0', async () => {
    await sweep(); // settle whatever earlier tests left due
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () => authorizedSession({ ageMs: TIMED_OUT_MS })),
    );

    const concurrent = await Promise.all([sweep(), sweep(), sweep()]);
    const again = await sweep();

    expect(concurrent.reduce((sum, result) => sum + result.expired, 0)).toBe(10);
    expect(again.expired).toBe(0);
    for (const { chargerId, idTag, sessionId } of sessions) {
      expect((await getSession(table, sessionId))?.status).toBe('Expired');
      expect(await getConnector(table, chargerId, 1)).not.toHaveProperty('activeSessionId');
      expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
    }
  });

  it('does not free a connector that already holds another session', async () => {
    const { chargerId, idTag, sessionId } = await authorizedSession({ ageMs: TIMED_OUT_MS });
    const otherSessionId = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.connector(chargerId, 1),
        UpdateExpression: 'SET activeSessionId = :other',
        ExpressionAttributeValues: { ':other': otherSessionId },
      }),
    );

    await sweep();

    expect((await getSession(table, sessionId))?.status).toBe('Expired');
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(otherSessionId);
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });
});
