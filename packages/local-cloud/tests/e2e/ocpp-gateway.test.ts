import { randomUUID } from 'node:crypto';
import { assignChargerToGateway } from '@evcharge/dynamo';
import { issueOcppCredentials, LOCAL_GATEWAY_ID, registerChargerLocally } from '@evcharge/local-identity';
import { startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import type { LocalCloud } from '../../src/index.js';

// `npm start` runs the OCPP 1.6J gateway beside the cloud: a charge point written from the OCPP-J specification
// (plain WebSocket frames, no OCPP library) boots through it with the credentials `chargers register` issues.
let cloud: LocalCloud;
const chargerId = `CP-OCPP-${randomUUID().slice(0, 6)}`;
let password: string;

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['heartbeat'],
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0, ocpp: 0 },
  });
  await registerChargerLocally(cloud.table, { chargerId, connectorCount: 1, now: new Date() });
  ({ password } = await issueOcppCredentials(cloud.table, chargerId));
  await assignChargerToGateway(cloud.table, chargerId, LOCAL_GATEWAY_ID);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

function connect(secret: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${cloud.endpoints.ocpp}/${chargerId}`, ['ocpp1.6'], {
      headers: { authorization: `Basic ${Buffer.from(`${chargerId}:${secret}`).toString('base64')}` },
    });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

describe('the local cloud’s OCPP gateway', () => {
  it('refuses a wrong AuthorizationKey with 401', async () => {
    await expect(connect('0'.repeat(40))).rejects.toThrow('HTTP 401');
  });

  it('answers a BootNotification Accepted, from the heartbeat service through the broker', async () => {
    const socket = await connect(password);
    expect(socket.protocol).toBe('ocpp1.6');
    const frames: unknown[][] = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      frames.push(frame);
      // The gateway then sets the intervals the cloud chose: accept them, as a charger does.
      if (frame[0] === 2) socket.send(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
    });
    socket.send(
      JSON.stringify([
        2,
        'boot-1',
        'BootNotification',
        { chargePointVendor: 'E2E', chargePointModel: 'Spec' },
      ]),
    );
    const answer = await cloud.waitFor(
      () => frames.find((frame) => frame[0] === 3 && frame[1] === 'boot-1'),
      30_000,
    );
    expect(answer[2]).toMatchObject({
      status: 'Accepted',
      interval: expect.any(Number),
      currentTime: expect.any(String),
    });
    socket.close();
  }, 60_000);
});
