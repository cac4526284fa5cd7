import { hashCredential } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { jsonLogger } from '../../src/log.js';
import { credentialsOf, FakeCloud } from '../helpers/fake-cloud.js';
import { OcppTestCharger } from '../helpers/ocpp-client.js';

// Per-charger connection metrics: one structured line when a charger's connection closes, with its own figures.

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
