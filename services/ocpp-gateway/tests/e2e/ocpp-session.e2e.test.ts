import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { chargerTopic } from '@evcharge/domain';
import {
  addIdTag,
  assignChargerToGateway,
  getConnector,
  getSession,
  keys,
  type TableContext,
} from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { issueOcppCredentials, registerChargerLocally } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync } from 'mqtt';
import { tableCredentialLookup } from '../../src/credential-store.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { mqttUpstream } from '../../src/upstream/mqtt-upstream.js';
import * as ocpp from '../helpers/factories.js';
import { handshake, OcppTestCharger } from '../helpers/ocpp-client.js';

// A charge point that knows only OCPP-J 1.6 (frames written here from the specification, over a plain `ws`
// socket) runs a session through gateway → broker → rules → services → DynamoDB Local.
let cloud: LocalCloud;
let gateway: Gateway;
let charger: OcppTestCharger;
const chargerId = `CP-OCPP-${randomUUID().slice(0, 6)}`;
const idTag = 'OCPP-E2E-TAG';
const gatewayId = 'gw-e2e';
const gatewayPassword = randomUUID();
let ocppPassword = '';

/** Registers a charger with an OCPP credential; assigned to this test's gateway unless told otherwise. */
async function registerCharger(table: TableContext, id: string, assigned = true) {
  await registerChargerLocally(table, { chargerId: id, connectorCount: 1, now: new Date() });
  if (assigned) await assignChargerToGateway(table, id, gatewayId);
  return issueOcppCredentials(table, id);
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    services: ['heartbeat', 'charge-authorization', 'plug-events', 'metering'],
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0 },
    ...(process.env.AWS_ENDPOINT_URL_DYNAMODB
      ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
      : {}),
    tableName: `ocpp-e2e-${randomUUID().slice(0, 8)}`,
    quiet: true,
    gateways: [{ gatewayId, password: gatewayPassword }],
  });
  await addIdTag(cloud.table, { idTag, userId: 'user-ocpp-e2e' });
  ocppPassword = (await registerCharger(cloud.table, chargerId)).password;
  gateway = await startGateway({
    port: 0,
    credentials: tableCredentialLookup(cloud.table),
    // The gateway's own credential, which the broker accepts only for chargers assigned to it.
    upstream: mqttUpstream({
      url: cloud.endpoints.mqttUrl,
      credentials: async () => ({ username: gatewayId, password: gatewayPassword }),
      log: silentLogger,
    }),
    cloudAnswerTimeoutMs: 20_000,
  });
  charger = await OcppTestCharger.connect(gateway.urlFor(chargerId), {
    username: chargerId,
    password: ocppPassword,
  });
}, 120_000);

afterAll(async () => {
  await charger?.close();
  await gateway?.close();
  await cloud?.stop();
});

describe('OCPP 1.6J through the gateway and the local cloud', () => {
  it('refuses a wrong AuthorizationKey (401) and an unregistered charger (404)', async () => {
    expect(
      (await handshake(gateway.urlFor(chargerId), { username: chargerId, password: 'nope' })).status,
    ).toBe(401);
    expect(
      (await handshake(gateway.urlFor('CP-NOBODY'), { username: 'CP-NOBODY', password: 'x' })).status,
    ).toBe(404);
  });

  it('BootNotification → Accepted from the cloud; Heartbeat answered with the server time', async () => {
    const boot = await charger.call('BootNotification', ocpp.bootNotification());
    expect(boot).toEqual([
      3,
      boot[1],
      { status: 'Accepted', currentTime: expect.any(String), interval: expect.any(Number) },
    ]);
    const heartbeat = await charger.call('Heartbeat', {});
    expect(heartbeat[2]).toEqual({ currentTime: expect.any(String) });
    await charger.next(() => charger.callsReceived('ChangeConfiguration').length === 2);
    expect(
      charger.callsReceived('ChangeConfiguration').map((frame) => (frame[3] as { key: string }).key),
    ).toEqual(['HeartbeatInterval', 'MeterValueSampleInterval']);
  }, 30_000);

  it('Authorize → idTagInfo from the cloud; an unknown tag Invalid', async () => {
    expect((await charger.call('Authorize', ocpp.authorize(idTag)))[2]).toEqual({
      idTagInfo: { status: 'Accepted' },
    });
    expect((await charger.call('Authorize', ocpp.authorize('NOBODY')))[2]).toMatchObject({
      idTagInfo: { status: 'Invalid' },
    });
  }, 30_000);

  it('StartTransaction → MeterValues → StopTransaction: the session reaches DynamoDB and completes', async () => {
    const startedAt = Date.now() - 120_000;
    const status = await charger.call(
      'StatusNotification',
      ocpp.statusNotification({ status: 'Preparing', timestamp: new Date(startedAt - 1000).toISOString() }),
    );
    expect(status[0]).toBe(3);
    const start = await charger.call(
      'StartTransaction',
      ocpp.startTransaction({ idTag, meterStart: 10_000, timestamp: new Date(startedAt).toISOString() }),
    );
    expect(start[2]).toMatchObject({ idTagInfo: { status: 'Accepted' }, transactionId: expect.any(Number) });
    const { transactionId } = start[2] as { transactionId: number };
    const connector = await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.activeSessionId,
      20_000,
    );
    expect((await getSession(cloud.table, connector))?.transactionId).toBe(transactionId);

    const meter = ocpp.meterValues(12_000, { transactionId });
    meter.meterValue[0]!.timestamp = new Date(startedAt + 30_000).toISOString();
    expect((await charger.call('MeterValues', meter))[0]).toBe(3);

    const stop = await charger.call(
      'StopTransaction',
      ocpp.stopTransaction(transactionId, {
        idTag,
        meterStop: 15_000,
        timestamp: new Date(startedAt + 60_000).toISOString(),
      }),
    );
    expect(stop[0]).toBe(3);
    const session = await cloud.waitFor(async () => {
      const current = await getSession(cloud.table, connector);
      return current?.status === 'Completed' ? current : undefined;
    }, 20_000);
    expect(session).toMatchObject({ transactionId, energyWh: 5_000, stopReason: 'Local' });
    // The MeterValues and nothing else of this connector's readings: one reading, at its own device time.
    const { Items = [] } = await cloud.table.client.send(
      new QueryCommand({
        TableName: cloud.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.connectorReadingsPartition(chargerId, 1) },
      }),
    );
    expect(Items.map((item) => item.at)).toContain(new Date(startedAt + 30_000).toISOString());
    expect(cloud.deadLetters()).toEqual([]);
  }, 60_000);

  it('a duplicate StartTransaction is one session; a StopTransaction replayed from offline keeps its own time', async () => {
    const startedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const start = ocpp.startTransaction({ idTag, meterStart: 20_000, timestamp: startedAt });
    // The charger did not get the first answer and sends the same StartTransaction again (a new unique id).
    const first = await charger.call('StartTransaction', start);
    const again = await charger.call('StartTransaction', start);
    const { transactionId } = first[2] as { transactionId: number };
    expect(again[2]).toEqual(first[2]);
    const sessionId = await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.activeSessionId,
      20_000,
    );
    expect(await getSession(cloud.table, sessionId)).toMatchObject({ transactionId, startedAt });

    // Sent when the charger is back online, two hours after it stopped: the session ends at the device's time.
    const stoppedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const stop = await charger.call(
      'StopTransaction',
      ocpp.stopTransaction(transactionId, { idTag, meterStop: 26_000, timestamp: stoppedAt }),
    );
    expect(stop[0]).toBe(3);
    const completed = await cloud.waitFor(async () => {
      const session = await getSession(cloud.table, sessionId);
      return session?.status === 'Completed' ? session : undefined;
    }, 20_000);
    expect(completed).toMatchObject({ transactionId, energyWh: 6_000, endedAt: stoppedAt });
    expect(cloud.deadLetters()).toEqual([]);
  }, 60_000);

  it('acts only for the chargers assigned to it: another charger is refused upstream and hung up on', async () => {
    const stranger = `CP-OTHER-${randomUUID().slice(0, 6)}`;
    const { password } = await registerCharger(cloud.table, stranger, false);
    const other = await OcppTestCharger.connect(gateway.urlFor(stranger), { username: stranger, password });
    const closed = await new Promise<number>((resolve) =>
      other.socket.once('close', (code) => resolve(code)),
    );
    expect(closed).toBe(1011);
    expect(cloud.stats().refused.connections).toBeGreaterThan(0);
    // And a wrong gateway password is refused even for an assigned charger.
    await expect(
      connectAsync(cloud.endpoints.mqttUrl, {
        clientId: chargerId,
        username: gatewayId,
        password: 'not-the-gateway-password',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
  }, 30_000);

  it('a remote start and a command published by the cloud reach the charger; its answers reach the cloud', async () => {
    const answers: { topic: string; body: Record<string, unknown> }[] = [];
    const stopObserving = cloud.observe((message) => {
      if (message.topic.startsWith(`chargers/${chargerId}/`) && message.topic.endsWith('/response'))
        answers.push({ topic: message.topic, body: JSON.parse(message.payload.toString()) });
    });
    const at = new Date().toISOString();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const remoteId = randomUUID();
    const commandId = randomUUID();
    await cloud.publish(
      chargerTopic('remoteStart', chargerId),
      JSON.stringify({ requestId: remoteId, connectorId: 1, idTag, expiresAt, at }),
    );
    await cloud.publish(
      chargerTopic('command', chargerId),
      JSON.stringify({ requestId: commandId, action: 'Reset', payload: { type: 'Soft' }, expiresAt, at }),
    );
    await cloud.waitFor(() => answers.length === 2 || undefined, 20_000);
    stopObserving();
    expect(charger.callsReceived('RemoteStartTransaction').at(-1)?.[3]).toEqual({ connectorId: 1, idTag });
    expect(charger.callsReceived('Reset').at(-1)?.[3]).toEqual({ type: 'Soft' });
    expect(answers).toEqual(
      expect.arrayContaining([
        {
          topic: chargerTopic('remoteResponse', chargerId),
          body: { requestId: remoteId, status: 'Accepted', at: expect.any(String) },
        },
        {
          topic: chargerTopic('commandResponse', chargerId),
          body: { requestId: commandId, status: 'Accepted', at: expect.any(String) },
        },
      ]),
    );
  }, 30_000);

  it('an unknown action is NotImplemented and a broken payload names its violation', async () => {
    expect((await charger.call('MakeCoffee', {}))[2]).toBe('NotImplemented');
    expect((await charger.call('Authorize', {}))[2]).toBe('OccurenceConstraintViolation');
    expect((await charger.call('Authorize', { idTag: 42 }))[2]).toBe('TypeConstraintViolation');
  });

  it('two gateways, no routing table: a command reaches the charger on whichever holds it; a reconnect elsewhere takes over', async () => {
    const second = await startGateway({
      port: 0,
      credentials: tableCredentialLookup(cloud.table),
      upstream: mqttUpstream({
        url: cloud.endpoints.mqttUrl,
        credentials: async () => ({ username: gatewayId, password: gatewayPassword }),
        log: silentLogger,
      }),
    });
    try {
      const roamer = `CP-ROAM-${randomUUID().slice(0, 6)}`;
      const { password } = await registerCharger(cloud.table, roamer);
      const onFirst = await OcppTestCharger.connect(gateway.urlFor(roamer), { username: roamer, password });
      const onSecond = await OcppTestCharger.connect(second.urlFor(chargerId), {
        username: chargerId,
        password: ocppPassword,
      });
      // The charger that moved: its old socket on the first gateway is closed once the broker drops that link.
      const oldSocketClosed = new Promise<number>((resolve) =>
        charger.socket.once('close', (code) => resolve(code)),
      );
      expect(await oldSocketClosed).toBe(1011);
      charger = onSecond;
      await onSecond.call('Heartbeat', {});
      await onFirst.call('Heartbeat', {});

      const at = new Date().toISOString();
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      for (const id of [chargerId, roamer]) {
        await cloud.publish(
          chargerTopic('command', id),
          JSON.stringify({ requestId: randomUUID(), action: 'ClearCache', payload: {}, expiresAt, at }),
        );
      }
      await onSecond.next((frame) => frame[0] === 2 && frame[2] === 'ClearCache');
      await onFirst.next((frame) => frame[0] === 2 && frame[2] === 'ClearCache');
      await onFirst.close();
    } finally {
      await second.close();
    }
  }, 30_000);
});
