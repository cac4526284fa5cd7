import { randomUUID } from 'node:crypto';
import { addIdTag } from '@evcharge/dynamo';
import { signDevToken } from '@evcharge/local-identity';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import type { LocalCloud } from '../../src/index.js';

// Every service from its own serverless.yml: MQTT → rule → function → DynamoDB → stream → SNS.
let cloud: LocalCloud;
let charger: MqttClient;
const chargerId = 'CP-E2E-1';

beforeAll(async () => {
  cloud = await startServiceCloud();
  await addIdTag(cloud.table, { idTag: 'E2E-TAG-1', userId: 'user-e2e' });
  ({ charger } = await registerAndConnect(cloud, chargerId));
}, 90_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

describe('end to end through the local cloud', () => {
  it('an authorization request over MQTT is answered and notified', async () => {
    await charger.subscribeAsync(`chargers/${chargerId}/auth/response`, { qos: 1 });
    const response = new Promise<Record<string, unknown>>((resolve) =>
      charger.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    );
    const requestId = randomUUID();
    await charger.publishAsync(
      `chargers/${chargerId}/auth/request`,
      JSON.stringify({ requestId, connectorId: 1, idTag: 'E2E-TAG-1', at: new Date().toISOString() }),
      { qos: 1 },
    );
    expect(await response).toMatchObject({ requestId, status: 'Accepted' });
    const notification = await cloud.waitFor(
      () =>
        cloud
          .notifications()
          .find(
            (n) =>
              n.message.includes('session.authorized') ||
              JSON.stringify(n.attributes).includes('session.authorized'),
          ),
      20_000,
    );
    expect(notification.topicArn).toBe('arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-local');
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 30_000);

  it("the user reads the session over the HTTP API with a dev token; someone else's token gets 404", async () => {
    const sessionId = await cloud.waitFor(() => {
      const authorized = cloud.notifications().find((n) => n.message.includes('session.authorized'));
      return authorized ? (JSON.parse(authorized.message) as { sessionId?: string }).sessionId : undefined;
    });
    const asUser = await fetch(`${cloud.endpoints.http}/sessions/${sessionId}`, {
      headers: { authorization: `Bearer ${await signDevToken('user-e2e')}` },
    });
    expect(asUser.status).toBe(200);
    expect(await asUser.json()).toMatchObject({ sessionId, chargerId });
    const asStranger = await fetch(`${cloud.endpoints.http}/sessions/${sessionId}`, {
      headers: { authorization: `Bearer ${await signDevToken('someone-else')}` },
    });
    expect(asStranger.status).toBe(404);
    expect((await fetch(`${cloud.endpoints.http}/sessions/${sessionId}`)).status).toBe(401);
  }, 30_000);
});
