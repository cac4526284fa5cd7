import { randomUUID } from 'node:crypto';
import { type Notification, notificationSchema } from '@evcharge/domain';
import { addIdTag, getConnector, getSession, listConnectorHistory } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// Through the local cloud: the charger plugs in, is authorized, meters, and unplugs over MQTT; rules →
// charge-authorization, metering, plug-events → the table → its stream → notifications → local SNS.

const chargerId = `PLUG-E2E-${randomUUID().slice(0, 8)}`;
const idTag = `E2E-${randomUUID().slice(0, 8)}`;
const userId = 'user-plug-e2e';
let cloud: LocalCloud;
let charger: MqttClient;
const authResponses: Record<string, unknown>[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['charge-authorization', 'metering', 'plug-events', 'notifications'],
  });
  await addIdTag(cloud.table, { idTag, userId });
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

const now = () => new Date().toISOString();

function completedNotifications(): Notification[] {
  return cloud
    .notifications()
    .map((published) => notificationSchema.parse(JSON.parse(published.message)))
    .filter((body) => body.kind === 'session.completed' && body.chargerId === chargerId);
}

describe('plug → auth → meter → unplug through the local cloud', () => {
  it('completes the session with its totals and notifies session.completed exactly once', async () => {
    // The meter's register before the session: kept on the connector as the next session's start.
    await publish('meter', {
      messageId: randomUUID(),
      connectorId: 1,
      at: now(),
      energy: { value: 100, unit: 'kWh' },
      context: 'Sample.Periodic',
    });
    await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.lastRegisterWh === 100_000,
      30_000,
    );

    const plug = { messageId: randomUUID(), connectorId: 1, event: 'plugged', at: now() };
    await publish('plug', plug);
    await cloud.waitFor(async () => (await getConnector(cloud.table, chargerId, 1))?.plugged, 30_000);

    const requestId = randomUUID();
    await publish('auth/request', { requestId, connectorId: 1, idTag, at: now() });
    const response = await cloud.waitFor(
      () => authResponses.find((answer) => answer.requestId === requestId),
      30_000,
    );
    expect(response).toMatchObject({ status: 'Accepted' });
    const sessionId = response.sessionId as string;
    // Plugged first: the session starts Charging, from the register the connector knew.
    expect(await getSession(cloud.table, sessionId)).toMatchObject({
      status: 'Charging',
      energyStartWh: 100_000,
    });

    await publish('meter', {
      messageId: randomUUID(),
      connectorId: 1,
      sessionId,
      at: now(),
      energy: { value: 112_345, unit: 'Wh' },
      powerW: 7_400,
      context: 'Sample.Periodic',
    });
    await cloud.waitFor(
      async () => (await getSession(cloud.table, sessionId))?.latestRegisterWh === 112_345,
      30_000,
    );

    const unplug = { messageId: randomUUID(), connectorId: 1, event: 'unplugged', at: now() };
    await publish('plug', unplug);
    const completed = await cloud.waitFor(async () => {
      const session = await getSession(cloud.table, sessionId);
      return session?.status === 'Completed' ? session : undefined;
    }, 30_000);
    const chargingFromMs = Date.parse(completed.chargingStartedAt ?? completed.startedAt);
    expect(completed).toMatchObject({
      energyWh: 12_345,
      costMinor: 4_321, // 12.345 kWh × 350 KRW = 4320.75 → 4321
      currency: 'KRW',
      durationS: Math.floor((Date.parse(completed.endedAt!) - chargingFromMs) / 1000),
    });
    const connector = await getConnector(cloud.table, chargerId, 1);
    expect(connector).toMatchObject({ plugged: false, status: 'Available', lastRegisterWh: 112_345 });
    expect(connector?.activeSessionId).toBeUndefined();

    const [notification] = await cloud.waitFor(() => {
      const found = completedNotifications();
      return found.length > 0 ? found : undefined;
    }, 30_000);
    expect(notification).toMatchObject({
      audience: 'user',
      userId,
      sessionId,
      data: { energyWh: 12_345, durationS: completed.durationS, costMinor: 4_321, currency: 'KRW' },
    });

    // The charger sends the unplug again (QoS 1 redelivery): nothing changes, nothing more is notified.
    await publish('plug', unplug);
    await cloud.waitFor(async () => cloud.stats().invocationsByFunction['plug-events.plug'] === 3, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a (wrong) second stream record
    expect(completedNotifications()).toHaveLength(1);
    expect(
      (await listConnectorHistory(cloud.table, chargerId, 1)).events.map((event) => event.outcome),
    ).toEqual(['applied', 'applied']);
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 180_000);
});
