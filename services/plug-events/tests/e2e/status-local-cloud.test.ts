import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { notificationSchema } from '@evcharge/domain';
import { addIdTag, getConnector, keys } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// Through the local cloud with a plain MQTT client: v2 status messages move the connector, and a Faulted
// connector refuses a v1 auth/request (charge-authorization reads the same connector facts); operators are
// told connector.faulted and connector.recovered once each (notifications, off the table stream).

const chargerId = `STATUS-E2E-${randomUUID().slice(0, 8)}`;
const idTag = `E2E-${randomUUID().slice(0, 8)}`;
let cloud: LocalCloud;
let charger: MqttClient;
const authResponses: Record<string, unknown>[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({ services: ['charge-authorization', 'plug-events', 'notifications'] });
  await addIdTag(cloud.table, { idTag, userId: 'user-status-e2e' });
  ({ charger } = await registerAndConnect(cloud, chargerId));
  await charger.subscribeAsync(`chargers/${chargerId}/auth/response`, { qos: 1 });
  charger.on('message', (_topic, payload) => authResponses.push(JSON.parse(payload.toString())));
}, 120_000);

afterAll(async () => {
  charger?.end(true);
  await cloud?.stop();
});

const publish = (kind: string, payload: Record<string, unknown>) =>
  charger.publishAsync(`chargers/${chargerId}/${kind}`, JSON.stringify(payload), { qos: 1 });
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const connector = () => getConnector(cloud.table, chargerId, 1);
const chargerStatus = async () =>
  (
    await cloud.table.client.send(
      new GetCommand({
        TableName: cloud.table.tableName,
        Key: keys.chargerStatus(chargerId),
        ConsistentRead: true,
      }),
    )
  ).Item;

async function authorize(): Promise<Record<string, unknown>> {
  const requestId = randomUUID();
  await publish('auth/request', { requestId, connectorId: 1, idTag, at: secondsAgo(0) });
  return cloud.waitFor(() => authResponses.find((answer) => answer.requestId === requestId), 30_000);
}

describe('chargers/+/status through the local cloud', () => {
  it('Faulted refuses a v1 auth/request; a late Available does not undo it; a newer one recovers', async () => {
    await publish('status', {
      messageId: randomUUID(),
      connectorId: 1,
      status: 'Faulted',
      errorCode: 'GroundFailure',
      info: 'RCD tripped',
      at: secondsAgo(10),
    });
    await cloud.waitFor(async () => (await connector())?.faulted === true, 30_000);
    expect(await connector()).toMatchObject({
      status: 'Faulted',
      ocppStatus: 'Faulted',
      errorCode: 'GroundFailure',
    });

    expect(await authorize()).toMatchObject({ status: 'Unavailable', reason: 'connector-faulted' });

    // Sent before the fault, delivered after it: a no-op.
    const lateId = randomUUID();
    await publish('status', {
      messageId: lateId,
      connectorId: 1,
      status: 'Available',
      errorCode: 'NoError',
      at: secondsAgo(20),
    });
    await publish('status', {
      messageId: randomUUID(),
      connectorId: 0,
      status: 'Available',
      errorCode: 'NoError',
      at: secondsAgo(5),
    });
    await cloud.waitFor(async () => (await chargerStatus())?.ocppStatus === 'Available', 30_000);
    expect(await connector()).toMatchObject({ faulted: true, status: 'Faulted' });

    await publish('status', {
      messageId: randomUUID(),
      connectorId: 1,
      status: 'Available',
      errorCode: 'NoError',
      at: secondsAgo(1),
    });
    await cloud.waitFor(async () => (await connector())?.faulted === false, 30_000);
    expect(await connector()).toMatchObject({
      status: 'Available',
      ocppStatus: 'Available',
      errorCode: 'NoError',
    });
    const operatorNotices = () =>
      cloud
        .notifications()
        .map((published) => notificationSchema.parse(JSON.parse(published.message)))
        .filter((body) => body.chargerId === chargerId && body.kind.startsWith('connector.'));
    await cloud.waitFor(() => operatorNotices().length >= 2, 30_000);
    // Publication order is not delivery order; each one exactly once.
    expect(operatorNotices().sort((left, right) => left.kind.localeCompare(right.kind))).toEqual([
      expect.objectContaining({
        kind: 'connector.faulted',
        audience: 'operator',
        connectorId: 1,
        data: { errorCode: 'GroundFailure', info: 'RCD tripped' },
      }),
      expect.objectContaining({
        kind: 'connector.recovered',
        audience: 'operator',
        connectorId: 1,
        data: { errorCode: 'NoError', previousErrorCode: 'GroundFailure' },
      }),
    ]);
    expect(cloud.deadLetters()).toEqual([]);
  }, 120_000);
});
