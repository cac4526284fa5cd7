import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  chargerTopic,
  type Notification,
  notificationSchema,
  type RemoteResponsePayload,
  type RemoteStartPayload,
  type RemoteStopPayload,
  type TransactionStartPayload,
  type TransactionStartResponsePayload,
  type TransactionStopPayload,
} from '@evcharge/domain';
import { addIdTag, keys } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { signDevToken } from '@evcharge/local-identity';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// Remote start/stop from the app through the local cloud, with a plain MQTT charger speaking v2: HTTP API (JWT)
// → metering → remote/start → the charger's remote/response and transaction/start (charge-authorization) →
// stream → notifications: the user hears each outcome exactly once, carrying the requestId.

const CHARGER = `CP-RS-${randomUUID().slice(0, 8)}`;
const TAG = `RS-${randomUUID().slice(0, 8)}`;

/** The remote request time-out for this run (default 30 s): the param a deploy sets, shortened to keep CI fast. */
const TIMEOUT_S = 8;

let cloud: LocalCloud;
let charger: MqttClient;
const received: { topic: string; payload: Record<string, unknown> }[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['metering', 'charge-authorization', 'notifications'],
    timeFactor: 1,
    params: { remoteRequestTimeoutS: String(TIMEOUT_S) },
  });
  ({ charger } = await registerAndConnect(cloud, CHARGER, 2));
  await addIdTag(cloud.table, { idTag: TAG, userId: 'alice', maxConcurrent: 2 });
  // The heartbeat service (not started here) marks a connected charger online.
  await cloud.table.client.send(
    new UpdateCommand({
      TableName: cloud.table.tableName,
      Key: keys.charger(CHARGER),
      UpdateExpression: 'SET #status = :online, statusChangedAt = :now, onlineSince = :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':online': 'online', ':now': new Date().toISOString() },
    }),
  );
  charger.on('message', (topic, payload) =>
    received.push({ topic, payload: JSON.parse(payload.toString()) }),
  );
  for (const kind of [
    'remoteStart',
    'remoteStop',
    'transactionStartResponse',
    'transactionStopResponse',
  ] as const)
    await charger.subscribeAsync(chargerTopic(kind, CHARGER), { qos: 1 });
}, 120_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

async function post(path: string, body?: unknown): Promise<{ status: number; body: { requestId?: string } }> {
  const response = await fetch(`${cloud.endpoints.http}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await signDevToken('alice')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { requestId?: string } };
}

const publish = (kind: 'remoteResponse' | 'transactionStart' | 'transactionStop', payload: object) =>
  charger.publishAsync(chargerTopic(kind, CHARGER), JSON.stringify(payload), { qos: 1 });

function receivedOn<Payload>(kind: Parameters<typeof chargerTopic>[0], match: (payload: Payload) => boolean) {
  return cloud.waitFor(
    () =>
      received
        .filter((message) => message.topic === chargerTopic(kind, CHARGER))
        .map((message) => message.payload as Payload)
        .find(match),
    10_000,
  );
}

function notificationsFor(requestId: string): Notification[] {
  return cloud
    .notifications()
    .map((published) => notificationSchema.parse(JSON.parse(published.message)))
    .filter((notification) => notification.data.requestId === requestId);
}

async function theOneNotification(requestId: string, timeoutMs = 15_000): Promise<Notification> {
  const [notification] = await cloud.waitFor(() => {
    const found = notificationsFor(requestId);
    return found.length > 0 ? found : undefined;
  }, timeoutMs);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(notificationsFor(requestId)).toHaveLength(1);
  return notification as Notification;
}

describe('remote start and stop from the app, through the local cloud', () => {
  let sessionId: string;

  it('start: remote/start → Accepted (twice) → transaction/start → one session.authorized with the requestId', async () => {
    const accepted = await post('/me/sessions', { chargerId: CHARGER, connectorId: 1, idTag: TAG });
    expect(accepted.status).toBe(202);
    const requestId = accepted.body.requestId as string;
    const command = await receivedOn<RemoteStartPayload>('remoteStart', (p) => p.requestId === requestId);
    expect(command).toMatchObject({ connectorId: 1, idTag: TAG });
    expect(Date.parse(command.expiresAt) - Date.parse(command.at)).toBe(TIMEOUT_S * 1000);

    const answer: RemoteResponsePayload = { requestId, status: 'Accepted', at: new Date().toISOString() };
    await publish('remoteResponse', answer);
    await publish('remoteResponse', answer);
    const start: TransactionStartPayload = {
      requestId: randomUUID(),
      connectorId: 1,
      idTag: TAG,
      meterStart: 1_000,
      at: new Date().toISOString(),
    };
    await publish('transactionStart', start);
    const started = await receivedOn<TransactionStartResponsePayload>(
      'transactionStartResponse',
      (p) => p.requestId === start.requestId,
    );
    sessionId = started.sessionId as string;

    expect(await theOneNotification(requestId)).toMatchObject({
      kind: 'session.authorized',
      userId: 'alice',
      sessionId,
      data: { requestId },
    });
  }, 60_000);

  it('stop: remote/stop → Accepted → transaction/stop → one session.completed with the requestId', async () => {
    const accepted = await post(`/sessions/${sessionId}/stop`);
    expect(accepted.status).toBe(202);
    const requestId = accepted.body.requestId as string;
    const command = await receivedOn<RemoteStopPayload>('remoteStop', (p) => p.requestId === requestId);
    expect(command.sessionId).toBe(sessionId);

    await publish('remoteResponse', { requestId, status: 'Accepted', at: new Date().toISOString() });
    const stop: TransactionStopPayload = {
      requestId: randomUUID(),
      transactionId: command.transactionId,
      meterStop: 6_000,
      reason: 'Remote',
      at: new Date().toISOString(),
    };
    await publish('transactionStop', stop);

    expect(await theOneNotification(requestId)).toMatchObject({
      kind: 'session.completed',
      sessionId,
      data: { requestId, stopReason: 'Remote', energyWh: 5_000 },
    });
  }, 60_000);

  it('a refused start → one session.rejected (remote-start-rejected) with the requestId', async () => {
    // No idTag: the caller's most recently used active tag.
    const accepted = await post('/me/sessions', { chargerId: CHARGER, connectorId: 2 });
    expect(accepted.status).toBe(202);
    const requestId = accepted.body.requestId as string;
    const command = await receivedOn<RemoteStartPayload>('remoteStart', (p) => p.requestId === requestId);
    expect(command.idTag).toBe(TAG);
    await publish('remoteResponse', { requestId, status: 'Rejected', at: new Date().toISOString() });

    expect(await theOneNotification(requestId)).toMatchObject({
      kind: 'session.rejected',
      data: { status: 'Rejected', reason: 'remote-start-rejected', requestId },
    });
  }, 60_000);

  it('a charger that never answers → one remote.timeout at the time-out; a late answer adds nothing', async () => {
    const postedAt = Date.now();
    const accepted = await post('/me/sessions', { chargerId: CHARGER, connectorId: 2, idTag: TAG });
    expect(accepted.status).toBe(202);
    const requestId = accepted.body.requestId as string;
    await receivedOn<RemoteStartPayload>('remoteStart', (p) => p.requestId === requestId);

    const timedOut = await theOneNotification(requestId, 45_000);
    expect(timedOut).toMatchObject({
      kind: 'remote.timeout',
      userId: 'alice',
      data: { requestId, action: 'start' },
    });
    expect(Date.parse(timedOut.at) - postedAt).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);

    await publish('remoteResponse', { requestId, status: 'Accepted', at: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(notificationsFor(requestId)).toHaveLength(1);
    expect(cloud.deadLetters()).toEqual([]);
  }, 90_000);
});
