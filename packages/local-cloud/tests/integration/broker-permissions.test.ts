import { registerChargerLocally } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';
import type { LocalCloud } from '../../src/index.js';
import { startProbeCloud } from '../helpers/probe-cloud.js';

let cloud: LocalCloud;
const chargers: Record<string, { username: string; password: string }> = {};

async function connect(
  chargerId: string,
  overrides: { password?: string; clientId?: string } = {},
): Promise<MqttClient> {
  const credential = chargers[chargerId] ?? { username: chargerId, password: 'x' };
  return mqtt.connectAsync(cloud.endpoints.mqttUrl, {
    clientId: overrides.clientId ?? chargerId,
    username: credential.username,
    password: overrides.password ?? credential.password,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
}

/** The SUBACK return codes (128 = refused); mqtt.js rejects when any is refused, so read them from the packet. */
async function grantedQos(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((grant) => grant.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted;
  }
}

beforeAll(async () => {
  cloud = await startProbeCloud();
  for (const chargerId of ['CP-A', 'CP-B']) {
    const { username, password } = await registerChargerLocally(cloud.table, {
      chargerId,
      connectorCount: 1,
      now: new Date(),
    });
    chargers[chargerId] = { username, password };
  }
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('broker authentication', () => {
  it('accepts a registered charger with its issued credentials', async () => {
    const client = await connect('CP-A');
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('refuses a wrong password', async () => {
    await expect(connect('CP-A', { password: 'wrong' })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
  });

  it('refuses an unregistered charger', async () => {
    await expect(connect('CP-UNKNOWN')).rejects.toThrow();
  });

  it('refuses a client id that is not the username', async () => {
    await expect(connect('CP-A', { clientId: 'CP-B' })).rejects.toThrow(/Identifier rejected|Bad username/i);
  });
});

describe('broker authorization (the IoT policy)', () => {
  it('lets a charger publish to its own device topics (the rule sees it)', async () => {
    const client = await connect('CP-A');
    await client.publishAsync('chargers/CP-A/heartbeat', JSON.stringify({ requestId: 'perm-1' }), { qos: 1 });
    await cloud.waitFor(() => (cloud.stats().invocationsByFunction['probe.echo'] ?? 0) > 0);
    await client.endAsync();
  });

  it("refuses a publish to another charger's topic and disconnects the publisher", async () => {
    const before = cloud.stats().refused.publishes;
    const client = await connect('CP-A');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('chargers/CP-B/heartbeat', JSON.stringify({ requestId: 'spoof-1' }), { qos: 1 });
    await closed;
    expect(cloud.stats().refused.publishes).toBe(before + 1);
    await client.endAsync(true);
  });

  it('refuses a publish to a cloud-to-device topic, even its own', async () => {
    const before = cloud.stats().refused.publishes;
    const client = await connect('CP-A');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('chargers/CP-A/auth/response', '{}', { qos: 1 });
    await closed;
    expect(cloud.stats().refused.publishes).toBe(before + 1);
    await client.endAsync(true);
  });

  it('refuses a payload over 128 KB on its own topic', async () => {
    const before = cloud.stats().refused.publishes;
    const client = await connect('CP-A');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('chargers/CP-A/heartbeat', 'x'.repeat(128 * 1024 + 1), { qos: 1 });
    await closed;
    expect(cloud.stats().refused.publishes).toBe(before + 1);
    await client.endAsync(true);
  });

  it("refuses a subscription to another charger's topics and to wildcards, grants its own", async () => {
    const client = await connect('CP-A');
    const granted = await grantedQos(client, [
      'chargers/CP-B/auth/response',
      'chargers/+/auth/response',
      '#',
      'chargers/CP-A/auth/response',
      'chargers/CP-A/meter/request',
    ]);
    expect(granted).toEqual([128, 128, 128, 1, 1]);
    await client.endAsync();
  });

  it("does not deliver another charger's downstream messages", async () => {
    const eavesdropper = await connect('CP-A');
    expect(await grantedQos(eavesdropper, ['chargers/CP-B/meter/request'])).toEqual([128]);
    const target = await connect('CP-B');
    await target.subscribeAsync('chargers/CP-B/meter/request', { qos: 1 });
    const leaked: string[] = [];
    eavesdropper.on('message', (topic) => leaked.push(topic));
    const delivered = new Promise<string>((resolve) => target.on('message', (topic) => resolve(topic)));
    await cloud.publish('chargers/CP-B/meter/request', '{"requestId":"m1"}');
    expect(await delivered).toBe('chargers/CP-B/meter/request');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(leaked).toEqual([]);
    await eavesdropper.endAsync();
    await target.endAsync();
  });
});

describe('presence lifecycle events', () => {
  it('a second connection with the same client id drops the first with DUPLICATE_CLIENTID', async () => {
    const events: Record<string, unknown>[] = [];
    const stopObserving = cloud.observe((message) => {
      if (message.topic === '$aws/events/presence/disconnected/CP-A')
        events.push(JSON.parse(message.payload.toString()));
    });
    const first = await connect('CP-A');
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connect('CP-A');
    await firstClosed;
    await cloud.waitFor(() => events.length >= 1);
    stopObserving();
    expect(events[0]).toMatchObject({
      clientInitiatedDisconnect: false,
      disconnectReason: 'DUPLICATE_CLIENTID',
    });
    first.end(true);
    await second.endAsync();
  });

  it('publishes connected and disconnected events with the AWS shape and an increasing versionNumber', async () => {
    const events: { topic: string; payload: Record<string, unknown> }[] = [];
    const stopObserving = cloud.observe((message) => {
      if (message.topic.startsWith('$aws/events/presence/') && message.topic.endsWith('/CP-B'))
        events.push({ topic: message.topic, payload: JSON.parse(message.payload.toString()) });
    });
    const first = await connect('CP-B');
    await first.endAsync();
    const second = await connect('CP-B');
    second.stream.destroy(); // connection lost, no DISCONNECT packet
    await cloud.waitFor(() => events.length >= 4);
    stopObserving();
    expect(events.map((event) => event.topic)).toEqual([
      '$aws/events/presence/connected/CP-B',
      '$aws/events/presence/disconnected/CP-B',
      '$aws/events/presence/connected/CP-B',
      '$aws/events/presence/disconnected/CP-B',
    ]);
    const [connected, cleanDisconnect, , lostConnection] = events.map((event) => event.payload);
    expect(connected).toEqual({
      clientId: 'CP-B',
      timestamp: expect.any(Number),
      eventType: 'connected',
      sessionIdentifier: expect.any(String),
      principalIdentifier: expect.any(String),
      ipAddress: '127.0.0.1',
      versionNumber: expect.any(Number),
    });
    expect(cleanDisconnect).toEqual({
      clientId: 'CP-B',
      timestamp: expect.any(Number),
      eventType: 'disconnected',
      clientInitiatedDisconnect: true,
      sessionIdentifier: connected?.sessionIdentifier,
      principalIdentifier: expect.any(String),
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      versionNumber: expect.any(Number),
    });
    expect(lostConnection).toMatchObject({
      clientInitiatedDisconnect: false,
      disconnectReason: 'CONNECTION_LOST',
    });
    const versions = events.map((event) => event.payload.versionNumber as number);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(4);
  });
});
