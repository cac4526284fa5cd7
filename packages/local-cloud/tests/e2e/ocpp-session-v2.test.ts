import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type CloudTopicKind, chargerTopic, cloudToDeviceTopics } from '@evcharge/domain';
import { addIdTag, getConnector, getSession, keys } from '@evcharge/dynamo';
import { signDevToken } from '@evcharge/local-identity';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import type { LocalCloud } from '../../src/index.js';

// Contract v2's "done when": a whole OCPP-shaped session driven only through the v2 topics by a plain MQTT
// client, every service from its own serverless.yml, the user stopping it from the app.
let cloud: LocalCloud;
let charger: MqttClient;
const chargerId = `CP-V2-${randomUUID().slice(0, 6)}`;
const idTag = 'V2-E2E-TAG';
const userId = 'user-v2-e2e';
/** Every message the cloud sent the charger, in order. */
const received: { kind: CloudTopicKind; body: Record<string, unknown> }[] = [];
const cloudKinds = Object.keys(cloudToDeviceTopics) as CloudTopicKind[];
/** Device times: a session that began a few minutes ago, every step a second later (never in the future). */
let deviceClock = Date.now() - 5 * 60_000;
function nextAt(): string {
  deviceClock += 1_000;
  return new Date(deviceClock).toISOString();
}

beforeAll(async () => {
  cloud = await startServiceCloud();
  await addIdTag(cloud.table, { idTag, userId });
  ({ charger } = await registerAndConnect(cloud, chargerId));
  charger.on('message', (topic, payload) => {
    const kind = cloudKinds.find((candidate) => chargerTopic(candidate, chargerId) === topic);
    if (kind) received.push({ kind, body: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  await charger.subscribeAsync(
    cloudKinds.map((kind) => chargerTopic(kind, chargerId)),
    { qos: 1 },
  );
}, 120_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

async function send(kind: Parameters<typeof chargerTopic>[0], body: Record<string, unknown>): Promise<void> {
  await charger.publishAsync(chargerTopic(kind, chargerId), JSON.stringify(body), { qos: 1 });
}

/** The cloud's answer of `kind` to `requestId`. */
function answer(kind: CloudTopicKind, requestId: string): Promise<Record<string, unknown>> {
  return cloud.waitFor(
    () => received.find((message) => message.kind === kind && message.body.requestId === requestId)?.body,
    20_000,
  );
}

/** Connector 0 (the whole charger) is kept on the charger's STATUS item, the others on their connector items. */
async function statusAtOf(connectorId: number): Promise<unknown> {
  if (connectorId > 0) return (await getConnector(cloud.table, chargerId, connectorId))?.statusAt;
  const { Item } = await cloud.table.client.send(
    new GetCommand({ TableName: cloud.table.tableName, Key: keys.chargerStatus(chargerId) }),
  );
  return Item?.statusAt;
}

async function status(connectorId: number, value: string): Promise<void> {
  const at = nextAt();
  await send('status', { messageId: randomUUID(), connectorId, status: value, errorCode: 'NoError', at });
  await cloud.waitFor(async () => ((await statusAtOf(connectorId)) === at ? true : undefined), 20_000);
}

function notificationsOfKind(kind: string): Record<string, unknown>[] {
  return cloud
    .notifications()
    .map((notification) => JSON.parse(notification.message) as Record<string, unknown>)
    .filter((body) => body.kind === kind && body.chargerId === chargerId);
}

describe('a full OCPP-shaped session through the v2 topics only', () => {
  it('boot → Available → authorize → Preparing → start → readings → remote stop → stop → Finishing → Available', async () => {
    const bootId = randomUUID();
    await send('boot', {
      requestId: bootId,
      chargePointVendor: 'E2E Vendor',
      chargePointModel: 'E2E-22',
      firmwareVersion: '1.2.3',
      at: nextAt(),
    });
    expect(await answer('bootResponse', bootId)).toMatchObject({ status: 'Accepted', interval: 300 });

    await status(0, 'Available');
    await status(1, 'Available');

    const authorizeId = randomUUID();
    await send('authorize', { requestId: authorizeId, idTag, at: nextAt() });
    expect(await answer('authorizeResponse', authorizeId)).toMatchObject({
      idTagInfo: { status: 'Accepted' },
    });

    await status(1, 'Preparing');

    const startId = randomUUID();
    await send('transactionStart', {
      requestId: startId,
      connectorId: 1,
      idTag,
      meterStart: 1_000,
      at: nextAt(),
    });
    const started = await answer('transactionStartResponse', startId);
    expect(started).toMatchObject({ idTagInfo: { status: 'Accepted' }, transactionId: expect.any(Number) });
    const sessionId = started.sessionId as string;
    const transactionId = started.transactionId as number;

    await status(1, 'Charging');
    for (const [register, power] of [
      [2_500, 7_200],
      [4_000, 7_100],
    ] as const) {
      await send('meter', {
        messageId: randomUUID(),
        connectorId: 1,
        transactionId,
        meterValue: [
          {
            timestamp: nextAt(),
            sampledValue: [
              { value: String(register), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              { value: String(power), measurand: 'Power.Active.Import', unit: 'W' },
              { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
            ],
          },
        ],
      });
      await cloud.waitFor(async () => {
        const session = await getSession(cloud.table, sessionId);
        return session?.energyWh === register - 1_000 ? session : undefined;
      }, 20_000);
    }

    // The user stops it from the app; the charger receives remote/stop and accepts.
    const stopped = await fetch(`${cloud.endpoints.http}/sessions/${sessionId}/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signDevToken(userId)}` },
    });
    expect(stopped.status).toBe(202);
    const { requestId: remoteStopId } = (await stopped.json()) as { requestId: string };
    const remoteStop = await answer('remoteStop', remoteStopId);
    expect(remoteStop).toMatchObject({ transactionId, sessionId });
    await send('remoteResponse', { requestId: remoteStopId, status: 'Accepted', at: nextAt() });

    const stopId = randomUUID();
    await send('transactionStop', {
      requestId: stopId,
      transactionId,
      meterStop: 4_600,
      reason: 'Remote',
      at: nextAt(),
    });
    await answer('transactionStopResponse', stopId);
    await status(1, 'Finishing');
    await status(1, 'Available');

    expect(await getSession(cloud.table, sessionId)).toMatchObject({
      status: 'Completed',
      energyWh: 3_600,
      stopReason: 'Remote',
      transactionId,
    });
    expect(await getConnector(cloud.table, chargerId, 1)).toMatchObject({ status: 'Available' });
    const completed = await cloud.waitFor(() => notificationsOfKind('session.completed')[0], 20_000);
    expect(completed).toMatchObject({
      userId,
      sessionId,
      data: { energyWh: 3_600, stopReason: 'Remote', requestId: remoteStopId },
    });
    expect(notificationsOfKind('session.authorized')).toHaveLength(1);
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 120_000);
});
