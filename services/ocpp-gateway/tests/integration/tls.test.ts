import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashCredential } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { credentialsOf, FakeCloud } from '../helpers/fake-cloud.js';
import { handshake, OcppTestCharger } from '../helpers/ocpp-client.js';

// Security profile 2: the gateway terminates TLS itself with the certificate and key it is configured with (here
// a self-signed one made for this test), and Basic auth rides inside the TLS connection.
const password = 'tls-test-authorization-key';
let dir: string;
let cert: Buffer;
let gateway: Gateway;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  gateway = await startGateway({
    port: 0,
    credentials: credentialsOf({ 'CP-TLS': await hashCredential(password) }),
    upstream: new FakeCloud(),
    tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
  });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS terminated by the gateway (security profile 2)', () => {
  it('serves wss:// with the configured certificate: a charger that trusts it runs OCPP over it', async () => {
    const url = gateway.urlFor('CP-TLS');
    expect(url).toMatch(/^wss:\/\//);
    const charger = await OcppTestCharger.connect(url, { username: 'CP-TLS', password, ca: cert });
    expect(charger.socket.protocol).toBe('ocpp1.6');
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3);
    await charger.close();
  });

  it('still answers 401 inside TLS, and a charger that does not trust the certificate never gets in', async () => {
    const url = gateway.urlFor('CP-TLS');
    expect((await handshake(url, { username: 'CP-TLS', password: 'wrong', ca: cert })).status).toBe(401);
    await expect(handshake(url, { username: 'CP-TLS', password })).rejects.toThrow(
      /self-signed|certificate/i,
    );
    await expect(
      handshake(url.replace('wss://', 'ws://'), { username: 'CP-TLS', password }),
    ).rejects.toThrow();
  });
});
