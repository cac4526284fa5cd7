import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { chargerTopic, type MeterPayload, type Notification, notificationSchema } from '@evcharge/domain';
import { getMeterRequest } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { signDevToken } from '@evcharge/local-identity';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { session as sessionFactory } from '../helpers/factories.js';
import { seedSession } from '../helpers/seed.js';

// Through the local cloud: HTTP API (JWT) → metering → IoT data plane → broker → charger; the charger's
// Trigger reading → rule → metering → stream → notifications → SNS. And a charger that stays silent: its
// request's timer (SQS, DelaySeconds = the time-out, real time in the local cloud as on AWS) resolves it on time.

const CHARGER = `CP-E2E-${randomUUID().slice(0, 8)}`;
/** The meter request time-out for this run (default 30 s): the param a deploy sets, shortened to keep CI fast. */
const TIMEOUT_MS = 8_000;

let cloud: LocalCloud;
let charger: MqttClient;
const requestsReceived: { requestId: string; connectorId: number; at: string }[] = [];
const session = sessionFactory({
  chargerId: CHARGER,
  connectorId: 1,
  energyStartWh: 10_000,
  latestRegisterWh: 11_000,
  lastReadingAt: new Date(Date.now() - 60_000).toISOString(),
  energyWh: 1000,
  costMinor: 350,
  powerW: 7000,
});

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['metering', 'notifications'],
    // Schedules at real speed: the backstop sweeper first runs 60 s after start, so a meter.unavailable at
    // the time-out can only come from the request's timer (the SQS delay is real time at any time factor). The test
    // then runs the sweeper itself, through the Lambda API, instead of waiting for its schedule.
    timeFactor: 1,
    params: { meterRequestTimeoutS: String(TIMEOUT_MS / 1000) },
  });
  ({ charger } = await registerAndConnect(cloud, CHARGER, 2));
  await seedSession(cloud.table, session);
  charger.on('message', (topic, payload) => {
    if (topic === chargerTopic('meterRequest', CHARGER))
      requestsReceived.push(JSON.parse(payload.toString()));
  });
  await charger.subscribeAsync(chargerTopic('meterRequest', CHARGER), { qos: 1 });
}, 120_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

async function postMeterRequest(userId: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${cloud.endpoints.http}/sessions/${session.sessionId}/meter-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await signDevToken(userId)}` },
  });
  return { status: response.status, body: await response.json() };
}

function notificationsFor(requestId: string): Notification[] {
  return cloud
    .notifications()
    .map((published) => notificationSchema.parse(JSON.parse(published.message)))
    .filter((notification) => notification.data.requestId === requestId);
}

describe('on-demand reading through the local cloud', () => {
  it('another user cannot ask (404, like a missing session)', async () => {
    expect(await postMeterRequest('mallory')).toEqual({ status: 404, body: { message: 'not found' } });
  });

  it('POST → the charger receives the request → its Trigger reading → one meter.reading', async () => {
    const accepted = await postMeterRequest('alice');
    expect(accepted.status).toBe(202);
    const { requestId } = accepted.body as { requestId: string };

    const request = await cloud.waitFor(
      () => requestsReceived.find((r) => r.requestId === requestId),
      10_000,
    );
    expect(request.connectorId).toBe(1);

    const trigger: MeterPayload = {
      messageId: randomUUID(),
      connectorId: 1,
      at: new Date().toISOString(),
      energy: { value: 11.8, unit: 'kWh' },
      powerW: 7400,
      context: 'Trigger',
      requestId,
    };
    await charger.publishAsync(chargerTopic('meter', CHARGER), JSON.stringify(trigger), { qos: 1 });
    // A duplicate delivery of the same reading must not notify twice.
    await charger.publishAsync(chargerTopic('meter', CHARGER), JSON.stringify(trigger), { qos: 1 });

    const [reading] = await cloud.waitFor(() => {
      const found = notificationsFor(requestId);
      return found.length > 0 ? found : undefined;
    }, 15_000);
    expect(reading).toMatchObject({
      kind: 'meter.reading',
      audience: 'user',
      userId: 'alice',
      chargerId: CHARGER,
      sessionId: session.sessionId,
      data: { requestId, energyWh: 1800, powerW: 7400, costMinor: 630, currency: 'KRW' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(notificationsFor(requestId)).toHaveLength(1);
  }, 60_000);

  it('a charger that ignores the request → one meter.unavailable with the last known values at the time-out', async () => {
    const postedAt = Date.now();
    const accepted = await postMeterRequest('alice');
    expect(accepted.status).toBe(202);
    const { requestId } = accepted.body as { requestId: string };
    await cloud.waitFor(() => requestsReceived.find((r) => r.requestId === requestId), 10_000);

    const [unavailable] = await cloud.waitFor(() => {
      const found = notificationsFor(requestId);
      return found.length > 0 ? found : undefined;
    }, 45_000);
    const notifiedAt = Date.parse(
      cloud
        .notifications()
        .find((n) => notificationSchema.parse(JSON.parse(n.message)).data.requestId === requestId)
        ?.publishedAt ?? '',
    );
    expect(unavailable).toMatchObject({
      kind: 'meter.unavailable',
      userId: 'alice',
      data: { requestId, energyWh: 1800, powerW: 7400, costMinor: 630 },
    });
    const request = await getMeterRequest(cloud.table, session.sessionId, requestId);
    const resolvedAfterMs = Date.parse(request?.resolvedAt ?? '') - Date.parse(request?.requestedAt ?? '');
    const notifiedAfterMs = notifiedAt - postedAt;
    console.log(
      `meter.unavailable: resolved ${resolvedAfterMs} ms after the request, notified ${notifiedAfterMs} ms after the POST`,
    );
    // The timer resolved it (the sweeper has not run yet), on time: not up to a sweep later.
    expect(cloud.stats().invocationsByFunction['metering.meterRequestTimer']).toBeGreaterThanOrEqual(1);
    expect(cloud.stats().invocationsByFunction['metering.meterRequestTimeouts'] ?? 0).toBe(0);
    // Typically 10 ms and 100 ms late; the slack is for a loaded CI machine (2 cores).
    expect(resolvedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(resolvedAfterMs).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(notifiedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(notifiedAfterMs).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(cloud.queueDepth('metering-local-meter-request-timers')).toBe(0);

    // The backstop sweeper, run now as its schedule would run it, finds nothing due: still one notification.
    const sweeper = cloud.functions.find((fn) => fn.id === 'metering.meterRequestTimeouts');
    const lambda = new LambdaClient({ endpoint: cloud.endpoints.aws });
    const swept = await lambda.send(
      new InvokeCommand({
        FunctionName: sweeper?.functionName,
        Payload: JSON.stringify({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }),
      }),
    );
    lambda.destroy();
    expect(swept.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(swept.Payload))).toEqual({ due: 0, resolved: 0 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(notificationsFor(requestId)).toHaveLength(1);
    expect(cloud.deadLetters()).toEqual([]);
  }, 120_000);
});
