import { hashCredential } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { jsonLogger } from '../../src/log.js';
import { credentialsOf, FakeCloud } from '../helpers/fake-cloud.js';
import { OcppTestCharger } from '../helpers/ocpp-client.js';

// Per-charger connection metrics (one structured line when a connection closes) and the keep-alive that ends a
// connection whose charger stopped answering.

const password = 'a-very-secret-authorization-key';
const lines: Record<string, unknown>[] = [];
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({
    port: 0,
    credentials: credentialsOf({ 'CP-M1': await hashCredential(password) }),
    upstream: new FakeCloud(),
    cloudAnswerTimeoutMs: 1_000,
    chargerCallTimeoutMs: 2_000,
    log: jsonLogger((line) => lines.push(JSON.parse(line))),
  });
});
afterAll(async () => gateway?.close());

describe('per-charger connection metrics', () => {
  it('logs the connection’s calls, errors, slowest answer and duration when it closes', async () => {
    const charger = await OcppTestCharger.connect(gateway.urlFor('CP-M1'), { username: 'CP-M1', password });
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    expect((await charger.call('NoSuchAction', {}))[0]).toBe(4);
    await charger.close();
    const deadline = Date.now() + 5_000;
    while (!lines.some((line) => line.message === 'charger connection closed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const closed = lines.find((line) => line.message === 'charger connection closed');
    expect(closed).toMatchObject({ chargerId: 'CP-M1', calls: 2, callErrors: 0, cloudMessages: 0 });
    expect(closed?.connectedS).toEqual(expect.any(Number));
    expect(closed?.slowestAnswerMs).toEqual(expect.any(Number));
  });
});

describe('keep-alive', () => {
  it('disconnects a charger that stops answering pings', async () => {
    const cloud = new FakeCloud();
    const quick = await startGateway({
      port: 0,
      credentials: credentialsOf({ 'CP-SILENT': await hashCredential(password) }),
      upstream: cloud,
      pingIntervalMs: 300,
      cloudAnswerTimeoutMs: 1_000,
      chargerCallTimeoutMs: 2_000,
      log: jsonLogger(() => undefined),
    });
    try {
      const charger = await OcppTestCharger.connect(quick.urlFor('CP-SILENT'), {
        username: 'CP-SILENT',
        password,
      });
      expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
      expect(quick.connectedChargers()).toEqual(['CP-SILENT']);
      // The charger's side stops reading: no pong goes back (ws answers pings itself while it reads).
      charger.stopReading();
      const deadline = Date.now() + 5_000;
      while (quick.connectedChargers().length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(quick.connectedChargers()).toEqual([]);
    } finally {
      await quick.close();
    }
  });
});
