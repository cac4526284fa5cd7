import { randomUUID } from 'node:crypto';
import { type AuthResponsePayload, authResponsePayloadSchema, chargerTopic } from '@evcharge/domain';
import { addIdTag, getConnector, getSession } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// MQTT request in, auth/response out on the charger's own topic: broker → rule SQL → this service's
// function (from its serverless.yml) → DynamoDB Local → IoT data plane → broker.
let cloud: LocalCloud;
let charger: MqttClient;
const chargerId = `CP-AUTH-E2E-${randomUUID().slice(0, 6)}`;
const responses: AuthResponsePayload[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({ services: ['charge-authorization'] });
  await addIdTag(cloud.table, { idTag: 'E2E-AUTH-TAG', userId: 'user-auth-e2e' });
  ({ charger } = await registerAndConnect(cloud, chargerId, 2));
  charger.on('message', (topic, payload) => {
    if (topic === chargerTopic('authResponse', chargerId)) {
      responses.push(authResponsePayloadSchema.parse(JSON.parse(payload.toString())));
    }
  });
  await charger.subscribeAsync(chargerTopic('authResponse', chargerId), { qos: 1 });
}, 120_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

async function requestOverMqtt(request: { requestId: string; connectorId: number; idTag: string }) {
  await charger.publishAsync(
    chargerTopic('authRequest', chargerId),
    JSON.stringify({ ...request, at: new Date().toISOString() }),
    { qos: 1 },
  );
}

const answersTo = (requestId: string) => responses.filter((response) => response.requestId === requestId);

describe('charge authorization through the local cloud', () => {
  it('accepts a valid tag over MQTT, answers on the charger topic, and claims the connector', async () => {
    const requestId = randomUUID();
    await requestOverMqtt({ requestId, connectorId: 1, idTag: 'E2E-AUTH-TAG' });

    const [answer] = await cloud.waitFor(
      () => (answersTo(requestId).length > 0 ? answersTo(requestId) : undefined),
      20_000,
    );

    expect(answer).toMatchObject({ requestId, status: 'Accepted', sessionId: expect.any(String) });
    expect(await getSession(cloud.table, answer!.sessionId!)).toMatchObject({
      chargerId,
      connectorId: 1,
      status: 'Authorized',
      userId: 'user-auth-e2e',
    });
    expect((await getConnector(cloud.table, chargerId, 1))?.activeSessionId).toBe(answer?.sessionId);
  }, 30_000);

  it('answers an unknown tag Invalid, and a repeated request identically', async () => {
    const requestId = randomUUID();
    await requestOverMqtt({ requestId, connectorId: 2, idTag: 'E2E-NO-SUCH-TAG' });
    await cloud.waitFor(() => answersTo(requestId).length === 1 || undefined, 20_000);
    await requestOverMqtt({ requestId, connectorId: 2, idTag: 'E2E-NO-SUCH-TAG' });
    await cloud.waitFor(() => answersTo(requestId).length === 2 || undefined, 20_000);

    const [first, second] = answersTo(requestId);
    expect(first).toMatchObject({ status: 'Invalid', reason: 'idtag-unknown' });
    expect(second).toEqual(first);
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 30_000);
});

describe('OCPP Authorize (contract v2) through the local cloud', () => {
  it('answers an idTag alone with its idTagInfo on authorize/response, opening nothing', async () => {
    const answers: Record<string, unknown>[] = [];
    charger.on('message', (topic, payload) => {
      if (topic === chargerTopic('authorizeResponse', chargerId))
        answers.push(JSON.parse(payload.toString()));
    });
    await charger.subscribeAsync(chargerTopic('authorizeResponse', chargerId), { qos: 1 });
    await addIdTag(cloud.table, {
      idTag: 'E2E-V2-TAG',
      userId: 'user-auth-e2e',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });

    const known = randomUUID();
    const unknown = randomUUID();
    for (const [requestId, idTag] of [
      [known, 'E2E-V2-TAG'],
      [unknown, 'NOBODY'],
    ] as const) {
      await charger.publishAsync(
        chargerTopic('authorize', chargerId),
        JSON.stringify({ requestId, idTag, at: new Date().toISOString() }),
        { qos: 1 },
      );
    }
    await cloud.waitFor(() => answers.length === 2, 20_000);

    expect(answers.find((answer) => answer.requestId === known)).toMatchObject({
      idTagInfo: { status: 'Accepted', expiryDate: '2099-01-01T00:00:00.000Z' },
    });
    expect(answers.find((answer) => answer.requestId === unknown)).toMatchObject({
      idTagInfo: { status: 'Invalid' },
    });
    expect((await getConnector(cloud.table, chargerId, 2))?.activeSessionId).toBeUndefined();
  }, 30_000);
});
