import { randomUUID } from 'node:crypto';
import { addIdTag, assignChargerToGateway, getConnector, getSession } from '@evcharge/dynamo';
import { type LocalCloud, type OcppGatewayProcess, startOcppGateway } from '@evcharge/local-cloud';
import { issueOcppCredentials, registerChargerLocally, signDevToken } from '@evcharge/local-identity';
import { startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as ocpp from '../helpers/factories.js';
import { type Frame, OcppTestCharger } from '../helpers/ocpp-client.js';

// Two gateway processes (OS processes, as deployed) sharing nothing but the broker: the app's remote start and
// stop (metering's user API) reach the charger on whichever process holds its socket, with no routing table,
// and a second connection with the same id on the other process replaces the first.
let cloud: LocalCloud;
let first: OcppGatewayProcess;
let second: OcppGatewayProcess;
const chargers: OcppTestCharger[] = [];
const chargerId = `CP-2GW-${randomUUID().slice(0, 6)}`;
const gatewayId = 'gw-pair';
const gatewayPassword = randomUUID();
const idTag = `TAG-2GW-${randomUUID().slice(0, 6)}`;
const userId = 'user-two-gateways';
let password = '';

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['heartbeat', 'charge-authorization', 'plug-events', 'metering'],
    gateways: [{ gatewayId, password: gatewayPassword }],
  });
  await addIdTag(cloud.table, { idTag, userId });
  await registerChargerLocally(cloud.table, { chargerId, connectorCount: 1, now: new Date() });
  await assignChargerToGateway(cloud.table, chargerId, gatewayId);
  password = (await issueOcppCredentials(cloud.table, chargerId)).password;
  const start = () =>
    startOcppGateway({
      port: 0,
      mqttUrl: cloud.endpoints.mqttUrl,
      tableName: cloud.table.tableName,
      env: cloud.env,
      gatewayId,
      password: gatewayPassword,
    });
  [first, second] = await Promise.all([start(), start()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(chargers.map((charger) => charger.close()));
  await Promise.all([first?.stop(), second?.stop()]);
  await cloud?.stop();
});

async function connectTo(gateway: OcppGatewayProcess): Promise<OcppTestCharger> {
  const charger = await OcppTestCharger.connect(`${gateway.baseUrl}/${chargerId}`, {
    username: chargerId,
    password,
  });
  chargers.push(charger);
  return charger;
}

async function postAsUser(
  path: string,
  body?: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${cloud.endpoints.http}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await signDevToken(userId)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const isCall = (action: string) => (frame: Frame) => frame[0] === 2 && frame[2] === action;

describe('two gateway processes, no routing table', () => {
  it('remote start reaches the charger on the first process; after it reconnects to the second, remote stop reaches it there', async () => {
    const onFirst = await connectTo(first);
    expect((await onFirst.call('BootNotification', ocpp.bootNotification()))[2]).toMatchObject({
      status: 'Accepted',
    });
    expect((await onFirst.call('StatusNotification', ocpp.statusNotification()))[0]).toBe(3);
    await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.ocppStatus === 'Available' || undefined,
      20_000,
    );
    // The heartbeat service has marked the charger online (its connected lifecycle event, then the boot).
    const started = await cloud.waitFor(async () => {
      const answer = await postAsUser('/me/sessions', { chargerId, connectorId: 1, idTag });
      return answer.status === 202 ? answer : undefined;
    }, 20_000);
    const remoteStart = await onFirst.next(isCall('RemoteStartTransaction'));
    expect(remoteStart[3]).toEqual({ connectorId: 1, idTag });

    const start = await onFirst.call(
      'StartTransaction',
      ocpp.startTransaction({ idTag, meterStart: 1_000, timestamp: new Date().toISOString() }),
    );
    const { transactionId } = start[2] as { transactionId: number };
    expect(transactionId).toEqual(expect.any(Number));
    const sessionId = await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.activeSessionId,
      20_000,
    );
    expect(await getSession(cloud.table, sessionId)).toMatchObject({
      transactionId,
      remoteStartRequestId: started.body.requestId,
    });

    // The charger reconnects to the other process: the broker's client-id takeover closes the first socket.
    const firstClosed = new Promise<number>((resolve) =>
      onFirst.socket.once('close', (code) => resolve(code)),
    );
    const onSecond = await connectTo(second);
    expect(await firstClosed).toBe(1011);
    expect((await onSecond.call('Heartbeat', {}))[0]).toBe(3);

    const stop = await cloud.waitFor(async () => {
      const answer = await postAsUser(`/sessions/${sessionId}/stop`);
      return answer.status === 202 ? answer : undefined;
    }, 20_000);
    expect(stop.body.requestId).toEqual(expect.any(String));
    const remoteStop = await onSecond.next(isCall('RemoteStopTransaction'));
    expect(remoteStop[3]).toEqual({ transactionId });
    expect(onFirst.callsReceived('RemoteStopTransaction')).toEqual([]);
    const stopped = await onSecond.call(
      'StopTransaction',
      ocpp.stopTransaction(transactionId, { idTag, meterStop: 6_000, reason: 'Remote' }),
    );
    expect(stopped[0]).toBe(3);
    const completed = await cloud.waitFor(async () => {
      const session = await getSession(cloud.table, sessionId);
      return session?.status === 'Completed' ? session : undefined;
    }, 20_000);
    expect(completed).toMatchObject({ transactionId, energyWh: 5_000, stopReason: 'Remote' });
    expect(cloud.deadLetters()).toEqual([]);
  }, 90_000);
});
