import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { defaultCliDeps, runChargersCli } from '@evcharge/operator-cli';
import { connectCharger, registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';

// Through the local cloud: MQTT broker (with IoT Core's lifecycle events) → rules → the heartbeat
// service's functions → the table → its stream → the notifications service → the local SNS endpoint.
// Stage `e2e` sets the grace to 5 s and the backstop to 10 s; a heartbeat reporting intervalS 10 makes the
// silence window max(2 × 10 + 5, 10) = 25 s; schedules run 30× faster, so the sweeper runs every 2 s.

let cloud: LocalCloud;
const clients: MqttClient[] = [];

beforeAll(async () => {
  cloud = await startServiceCloud({ services: ['heartbeat', 'notifications'], stage: 'e2e', timeFactor: 30 });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.end(true);
  await cloud?.stop();
});

/** A registered charger (`--pending` with `pending`), connected; later connections reuse its password. */
async function registeredCharger(
  pending = false,
): Promise<{ chargerId: string; password: string; client: MqttClient }> {
  const chargerId = `E2E-${randomUUID().slice(0, 8)}`;
  const { charger: client, password } = await registerAndConnect(cloud, chargerId, 1, { pending });
  clients.push(client);
  return { chargerId, password, client };
}

async function connect(chargerId: string, password: string): Promise<MqttClient> {
  const client = await connectCharger(cloud, chargerId, password);
  clients.push(client);
  return client;
}

async function sendHeartbeat(client: MqttClient, chargerId: string, intervalS = 10): Promise<void> {
  const payload = { at: new Date().toISOString(), firmware: 'e2e/1.0', intervalS };
  await client.publishAsync(`chargers/${chargerId}/heartbeat`, JSON.stringify(payload), { qos: 1 });
}

/** Kinds of the operator notifications about one charger, oldest first. */
function notificationKinds(chargerId: string): string[] {
  return cloud
    .notifications()
    .filter((notification) => notification.attributes.chargerId?.StringValue === chargerId)
    .reverse()
    .map((notification) => notification.attributes.kind?.StringValue ?? '?');
}

async function charger(chargerId: string) {
  const { Item } = await cloud.table.client.send(
    new GetCommand({ TableName: cloud.table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item ?? {};
}

/** The charger's registry record (what boot writes), read consistently; undefined before its first boot. */
async function bootRecord(chargerId: string) {
  const { Item } = await cloud.table.client.send(
    new GetCommand({
      TableName: cloud.table.tableName,
      Key: keys.chargerBoot(chargerId),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** Dead letters of one charger's messages (other tests refuse messages on purpose). */
const deadLettersOf = (chargerId: string) =>
  cloud.deadLetters().filter((letter) => JSON.stringify(letter.payload ?? {}).includes(chargerId));

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('charger liveness through the local cloud', () => {
  it('the backstop: a charger that stays connected but goes silent is marked offline, and online again when it is back: one notification each', async () => {
    const { chargerId, client } = await registeredCharger();
    await sendHeartbeat(client, chargerId);
    await cloud.waitFor(() => notificationKinds(chargerId).length === 1, 15_000);
    expect(notificationKinds(chargerId)).toEqual(['charger.online']);
    expect(await charger(chargerId)).toMatchObject({
      status: 'online',
      connected: true,
      heartbeatIntervalS: 10,
    });

    // Silent: still connected (MQTT keep-alive), but no heartbeat for longer than the 25 s window. The
    // sweeper first re-arms it (heard within its window), then takes it offline.
    const silentSince = Date.now();
    await cloud.waitFor(() => notificationKinds(chargerId).length === 2, 45_000);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(20_000);
    expect(notificationKinds(chargerId)).toEqual(['charger.online', 'charger.offline']);
    expect((await charger(chargerId)).status).toBe('offline');

    await sendHeartbeat(client, chargerId);
    await cloud.waitFor(() => notificationKinds(chargerId).length === 3, 15_000);
    await settle(3_000); // several more sweeps and stream polls: nothing else may arrive
    expect(notificationKinds(chargerId)).toEqual(['charger.online', 'charger.offline', 'charger.online']);
    expect((await charger(chargerId)).status).toBe('online');
  }, 120_000);

  it('a clean reboot that reconnects within the grace period produces no notification', async () => {
    const { chargerId, password, client: first } = await registeredCharger();
    await sendHeartbeat(first, chargerId);
    await cloud.waitFor(() => notificationKinds(chargerId).length === 1, 15_000);

    await first.endAsync(); // DISCONNECT: clientInitiatedDisconnect = true
    await cloud.waitFor(async () => (await charger(chargerId)).connected === false, 10_000);
    const rebooted = await connect(chargerId, password);
    await sendHeartbeat(rebooted, chargerId);
    await settle(10_000); // twice the grace, five sweeps

    expect(notificationKinds(chargerId)).toEqual(['charger.online']);
    expect(await charger(chargerId)).toMatchObject({ status: 'online', connected: true });
  }, 60_000);

  it('a lost connection is offline at once, and online again on reconnect', async () => {
    const { chargerId, password, client: first } = await registeredCharger();
    await sendHeartbeat(first, chargerId, 300);
    await cloud.waitFor(() => notificationKinds(chargerId).length === 1, 15_000);

    first.stream.destroy(); // no DISCONNECT packet: an unclean disconnect
    await cloud.waitFor(() => notificationKinds(chargerId).length === 2, 10_000);
    expect((await charger(chargerId)).status).toBe('offline');

    await connect(chargerId, password);
    await cloud.waitFor(() => notificationKinds(chargerId).length === 3, 10_000);
    await settle(2_000);
    expect(notificationKinds(chargerId)).toEqual(['charger.online', 'charger.offline', 'charger.online']);
    expect(cloud.deadLetters()).toEqual([]);
  }, 60_000);
});

describe('OCPP boot (contract v2) through the local cloud', () => {
  it('a booting charger is answered on boot/response and its registry record is kept apart from the charger item', async () => {
    const { chargerId, client } = await registeredCharger();
    const answers: Record<string, unknown>[] = [];
    client.on('message', (topic, payload) => {
      if (topic === `chargers/${chargerId}/boot/response`) answers.push(JSON.parse(payload.toString()));
    });
    await client.subscribeAsync(`chargers/${chargerId}/boot/response`, { qos: 1 });
    const requestId = randomUUID();
    const boot = {
      requestId,
      chargePointVendor: 'Alfen BV',
      chargePointModel: 'NG920-5250',
      firmwareVersion: '6.1.0-4082',
      at: new Date().toISOString(),
    };
    await client.publishAsync(`chargers/${chargerId}/boot`, JSON.stringify(boot), { qos: 1 });
    await cloud.waitFor(() => answers.length === 1, 15_000);

    expect(answers[0]).toMatchObject({
      requestId,
      status: 'Accepted',
      interval: 300,
      meterValueSampleInterval: 900,
    });
    expect(Math.abs(Date.parse(answers[0]?.currentTime as string) - Date.now())).toBeLessThan(15_000);
    expect(await bootRecord(chargerId)).toMatchObject({
      chargePointVendor: 'Alfen BV',
      firmwareVersion: '6.1.0-4082',
      bootRequestId: requestId,
    });
    expect(await charger(chargerId)).not.toHaveProperty('chargePointVendor');

    // A boot whose device clock is 10 minutes ahead cannot be ordered: refused, never answered.
    const ahead = { ...boot, requestId: randomUUID(), at: new Date(Date.now() + 600_000).toISOString() };
    await client.publishAsync(`chargers/${chargerId}/boot`, JSON.stringify(ahead), { qos: 1 });
    await settle(3_000);
    expect(answers).toHaveLength(1);
  }, 60_000);
});

describe('operator commands and status reports (contract v2) through the local cloud', () => {
  it('`chargers reset` round-trips: command on the charger, its answer printed, kept, and one command.result', async () => {
    const { chargerId, client } = await registeredCharger();
    const received: Record<string, unknown>[] = [];
    client.on('message', (topic, payload) => {
      if (topic !== `chargers/${chargerId}/command`) return;
      const command = JSON.parse(payload.toString()) as { requestId: string };
      received.push(command);
      const answer = { requestId: command.requestId, status: 'Accepted', at: new Date().toISOString() };
      void client.publishAsync(`chargers/${chargerId}/command/response`, JSON.stringify(answer), { qos: 1 });
    });
    await client.subscribeAsync(`chargers/${chargerId}/command`, { qos: 1 });

    const out: string[] = [];
    const err: string[] = [];
    const deps = {
      ...defaultCliDeps(),
      env: { ...cloud.env, TABLE_NAME: cloud.table.tableName },
      io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) },
    };
    expect(await runChargersCli(['reset', chargerId, '--hard', '--timeout', '15'], deps)).toBe(0);
    expect(err).toEqual([]);
    expect(received).toEqual([
      expect.objectContaining({ action: 'Reset', payload: { type: 'Hard' }, expiresAt: expect.any(String) }),
    ]);
    expect(out.at(-1)).toBe(`${chargerId} answered Reset: Accepted`);
    const requestId = (received[0] as { requestId: string }).requestId;
    const { Item } = await cloud.table.client.send(
      new GetCommand({ TableName: cloud.table.tableName, Key: keys.command(chargerId, requestId) }),
    );
    expect(Item).toMatchObject({ state: 'answered', answerStatus: 'Accepted', lateAnswer: false });

    await cloud.waitFor(() => notificationKinds(chargerId).includes('command.result'), 15_000);
    await settle(2_000);
    expect(notificationKinds(chargerId).filter((kind) => kind === 'command.result')).toHaveLength(1);
    expect(deadLettersOf(chargerId)).toEqual([]);
  }, 60_000);

  it('a Pending charger booting raises charger.pending once; its firmware status lands on the registry record', async () => {
    const { chargerId, client } = await registeredCharger(true);
    const boot = (at: Date) => ({
      requestId: randomUUID(),
      chargePointVendor: 'Alfen BV',
      chargePointModel: 'NG920-5250',
      at: at.toISOString(),
    });
    await client.publishAsync(`chargers/${chargerId}/boot`, JSON.stringify(boot(new Date())), { qos: 1 });
    await client.publishAsync(`chargers/${chargerId}/boot`, JSON.stringify(boot(new Date(Date.now() + 1))), {
      qos: 1,
    });
    // An OCPP charger reports only after its boot was answered: wait until the registry record exists, so the
    // status is not processed before it (the two rules run concurrently) and refused as "has not booted".
    await cloud.waitFor(async () => (await bootRecord(chargerId)) !== undefined, 15_000);
    const firmwareStatus = { messageId: randomUUID(), status: 'Downloading', at: new Date().toISOString() };
    await client.publishAsync(`chargers/${chargerId}/firmware-status`, JSON.stringify(firmwareStatus), {
      qos: 1,
    });
    await cloud.waitFor(() => notificationKinds(chargerId).includes('charger.pending'), 15_000);
    await cloud.waitFor(async () => (await bootRecord(chargerId))?.firmwareStatus === 'Downloading', 15_000);
    await settle(2_000);
    expect(notificationKinds(chargerId).filter((kind) => kind === 'charger.pending')).toHaveLength(1);
    expect(deadLettersOf(chargerId)).toEqual([]);
  }, 60_000);
});
