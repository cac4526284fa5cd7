import { randomUUID } from 'node:crypto';
import {
  chargerTopic,
  type TransactionStartResponsePayload,
  type TransactionStopResponsePayload,
  transactionStartResponsePayloadSchema,
  transactionStopResponsePayloadSchema,
} from '@evcharge/domain';
import { addIdTag, getConnector, getSession } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// OCPP StartTransaction / StopTransaction (contract v2) over MQTT with a plain client: transaction/start →
// its response with a transactionId → transaction/stop → its response, the session Completed.
let cloud: LocalCloud;
let charger: MqttClient;
const chargerId = `CP-TX-E2E-${randomUUID().slice(0, 6)}`;
const startAnswers: TransactionStartResponsePayload[] = [];
const stopAnswers: TransactionStopResponsePayload[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({ services: ['charge-authorization'] });
  await addIdTag(cloud.table, { idTag: 'E2E-TX-TAG', userId: 'user-tx-e2e' });
  ({ charger } = await registerAndConnect(cloud, chargerId));
  charger.on('message', (topic, payload) => {
    const body: unknown = JSON.parse(payload.toString());
    if (topic === chargerTopic('transactionStartResponse', chargerId)) {
      startAnswers.push(transactionStartResponsePayloadSchema.parse(body));
    }
    if (topic === chargerTopic('transactionStopResponse', chargerId)) {
      stopAnswers.push(transactionStopResponsePayloadSchema.parse(body));
    }
  });
  await charger.subscribeAsync(
    [chargerTopic('transactionStartResponse', chargerId), chargerTopic('transactionStopResponse', chargerId)],
    { qos: 1 },
  );
}, 120_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

describe('OCPP transactions (contract v2) through the local cloud', () => {
  it('start → transactionId and session → stop → answered, session Completed, connector free', async () => {
    const startedAt = Date.now() - 60_000;
    const startRequestId = randomUUID();
    await charger.publishAsync(
      chargerTopic('transactionStart', chargerId),
      JSON.stringify({
        requestId: startRequestId,
        connectorId: 1,
        idTag: 'E2E-TX-TAG',
        meterStart: 10_000,
        at: new Date(startedAt).toISOString(),
      }),
      { qos: 1 },
    );
    const started = await cloud.waitFor(
      () => startAnswers.find((answer) => answer.requestId === startRequestId),
      20_000,
    );
    expect(started).toMatchObject({ idTagInfo: { status: 'Accepted' }, sessionId: expect.any(String) });
    expect(await getSession(cloud.table, started.sessionId!)).toMatchObject({
      status: 'Charging',
      transactionId: started.transactionId,
    });

    const stopRequestId = randomUUID();
    await charger.publishAsync(
      chargerTopic('transactionStop', chargerId),
      JSON.stringify({
        requestId: stopRequestId,
        transactionId: started.transactionId,
        meterStop: 17_500,
        reason: 'Local',
        idTag: 'E2E-TX-TAG',
        at: new Date(startedAt + 30_000).toISOString(),
      }),
      { qos: 1 },
    );
    const stopped = await cloud.waitFor(
      () => stopAnswers.find((answer) => answer.requestId === stopRequestId),
      20_000,
    );

    expect(stopped).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(await getSession(cloud.table, started.sessionId!)).toMatchObject({
      status: 'Completed',
      energyWh: 7_500,
      stopReason: 'Local',
      durationS: 30,
    });
    expect((await getConnector(cloud.table, chargerId, 1))?.activeSessionId).toBeUndefined();
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 60_000);
});
