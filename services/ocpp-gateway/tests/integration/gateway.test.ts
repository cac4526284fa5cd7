import { randomUUID } from 'node:crypto';
import { hashCredential } from '@evcharge/local-identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Gateway, startGateway } from '../../src/gateway.js';
import * as ocpp from '../helpers/factories.js';
import { credentialsOf, FakeCloud } from '../helpers/fake-cloud.js';
import { basicAuthorization, handshake, OcppTestCharger, rawUpgrade } from '../helpers/ocpp-client.js';

// The gateway against an in-memory cloud, with a charge point written from the OCPP-J 1.6 specification.
let gateway: Gateway;
let cloud: FakeCloud;
const password = 'a-very-secret-authorization-key';
const chargers: OcppTestCharger[] = [];

beforeAll(async () => {
  const hash = await hashCredential(password);
  cloud = new FakeCloud();
  gateway = await startGateway({
    port: 0,
    credentials: credentialsOf({ 'CP-1': hash, 'CP-2': hash, 'CP-NO-KEY': undefined }),
    upstream: cloud,
    cloudAnswerTimeoutMs: 1_000,
    chargerCallTimeoutMs: 2_000,
  });
});

afterEach(async () => {
  await Promise.all(chargers.splice(0).map((charger) => charger.close()));
  cloud.answer = (await import('../helpers/fake-cloud.js')).serviceLikeAnswers;
  cloud.acknowledges = true;
});

afterAll(async () => {
  await gateway?.close();
});

async function connect(chargerId = 'CP-1'): Promise<OcppTestCharger> {
  const charger = await OcppTestCharger.connect(gateway.urlFor(chargerId), { username: chargerId, password });
  chargers.push(charger);
  return charger;
}

describe('handshake (OCPP-J 1.6 section 3, security profile 1)', () => {
  it('accepts the right credentials and echoes the ocpp1.6 subprotocol', async () => {
    const result = await handshake(gateway.urlFor('CP-1'), { username: 'CP-1', password });
    expect(result.status).toBe(101);
    expect(result.protocol).toBe('ocpp1.6');
    result.socket?.close();
  });

  it('answers 404 for an unknown charger id and for a path outside /ocpp/', async () => {
    expect((await handshake(gateway.urlFor('CP-UNKNOWN'), { username: 'CP-UNKNOWN', password })).status).toBe(
      404,
    );
    const elsewhere = gateway.urlFor('CP-1').replace('/ocpp/', '/other/');
    expect((await handshake(elsewhere, { username: 'CP-1', password })).status).toBe(404);
  });

  it('answers 401 with a Basic challenge for missing, wrong or other-charger credentials', async () => {
    const url = gateway.urlFor('CP-1');
    const missing = await handshake(url, {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Basic /);
    expect((await handshake(url, { username: 'CP-1', password: 'wrong' })).status).toBe(401);
    expect((await handshake(url, { username: 'CP-2', password })).status).toBe(401);
    expect((await handshake(gateway.urlFor('CP-NO-KEY'), { username: 'CP-NO-KEY', password })).status).toBe(
      401,
    );
  });

  it('completes a handshake without ocpp1.6 with no subprotocol header, then closes at once', async () => {
    for (const offered of [{ 'Sec-WebSocket-Protocol': 'ocpp2.0.1' }, {}] as Record<string, string>[]) {
      const result = await rawUpgrade(gateway.urlFor('CP-1'), {
        authorization: basicAuthorization('CP-1', password),
        ...offered,
      });
      expect(result.status).toBe(101);
      expect(result.headers['sec-websocket-protocol']).toBeUndefined();
      expect(await result.firstFrame).toBe(0x8);
    }
  });
});

describe('connections', () => {
  it('a second connection with the same charger id replaces the first', async () => {
    const first = await connect();
    const closed = new Promise<number>((resolve) => first.socket.once('close', (code) => resolve(code)));
    const second = await connect();
    expect(await closed).toBe(1000);
    expect((await second.call('Heartbeat', {}))[0]).toBe(3);
    expect(gateway.connectedChargers()).toEqual(['CP-1']);
  });

  it('closes a connection that sends a frame over the size limit (1009), leaving other chargers alone', async () => {
    const hostile = await connect('CP-1');
    const neighbour = await connect('CP-2');
    const closed = new Promise<number>((resolve) => hostile.socket.once('close', (code) => resolve(code)));
    hostile.sendRaw(
      JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'x'.repeat(300 * 1024) }]),
    );
    expect(await closed).toBe(1009);
    expect((await neighbour.call('Heartbeat', {}))[0]).toBe(3);
  });
});

describe('charger → cloud calls', () => {
  it('BootNotification: answered with the cloud boot/response, then HeartbeatInterval and MeterValueSampleInterval set', async () => {
    const charger = await connect();
    const reply = await charger.call('BootNotification', ocpp.bootNotification());
    expect(reply[0]).toBe(3);
    expect(reply[2]).toMatchObject({ status: 'Accepted', interval: 300 });
    const [boot] = cloud.of('boot');
    expect(boot?.payload).toMatchObject({ chargePointVendor: 'VendorX', requestId: expect.any(String) });
    await charger.next(
      (frame) => frame[0] === 2 && (frame[3] as { key?: string }).key === 'MeterValueSampleInterval',
    );
    const keys = charger.callsReceived('ChangeConfiguration').map((frame) => frame[3]);
    expect(keys).toEqual([
      { key: 'HeartbeatInterval', value: '300' },
      { key: 'MeterValueSampleInterval', value: '900' },
    ]);
  });

  it('Heartbeat: answered at once with the server time even when the cloud never acknowledges', async () => {
    const charger = await connect();
    cloud.acknowledges = false;
    const started = Date.now();
    const reply = await charger.call('Heartbeat', {});
    expect(Date.now() - started).toBeLessThan(500);
    expect(reply[0]).toBe(3);
    expect(Date.parse((reply[2] as { currentTime: string }).currentTime)).toBeGreaterThan(started - 1000);
  });

  it('answers InternalError when the cloud does not answer in time, never a success', async () => {
    const charger = await connect();
    cloud.answer = () => undefined;
    const reply = await charger.call('Authorize', ocpp.authorize('TAG-1'));
    expect(reply.slice(0, 3)).toEqual([4, reply[1], 'InternalError']);
    cloud.acknowledges = false;
    const status = await charger.call('StatusNotification', ocpp.statusNotification());
    expect(status[2]).toBe('InternalError');
  });

  it('StatusNotification is answered after the PUBACK; the same content keeps its messageId, unique ids aside', async () => {
    const charger = await connect();
    const status = ocpp.statusNotification({ status: 'Preparing' });
    expect((await charger.call('StatusNotification', status, 'same-id'))[0]).toBe(3);
    expect((await charger.call('StatusNotification', status, 'another-id'))[0]).toBe(3);
    const [first, second] = cloud.of('status').slice(-2);
    expect(first?.payload.messageId).toBe(second?.payload.messageId);
    expect(await charger.call('StatusNotification', { ...status, status: 'Charging' }, 'same-id')).toEqual([
      3,
      'same-id',
      {},
    ]);
    expect(cloud.of('status').at(-1)?.payload.messageId).not.toBe(first?.payload.messageId);
  });

  it('Start → MeterValues → Stop with transactionData as meter messages linked to the transaction, before the stop', async () => {
    const charger = await connect();
    const start = await charger.call('StartTransaction', ocpp.startTransaction());
    expect(start[2]).toEqual({ transactionId: 42, idTagInfo: { status: 'Accepted' } });
    expect((await charger.call('MeterValues', ocpp.meterValues(2000, { transactionId: 42 })))[0]).toBe(3);
    const stop = await charger.call(
      'StopTransaction',
      ocpp.stopTransaction(42, { transactionData: ocpp.meterValues(4000).meterValue }),
    );
    expect(stop).toEqual([3, stop[1], {}]);
    const kinds = cloud.published.slice(-4).map((published) => published.kind);
    expect(kinds).toEqual(['transactionStart', 'meter', 'meter', 'transactionStop']);
    const transactionData = cloud.of('meter').at(-1)?.payload as Record<string, unknown>;
    // StopTransaction names no connector: its transactionId does, in the cloud.
    expect(transactionData).not.toHaveProperty('connectorId');
    expect(transactionData).toMatchObject({
      transactionId: 42,
      meterValue: [
        {
          sampledValue: [
            { value: '4000', unit: 'Wh' },
            { value: '7.4', unit: 'kW' },
          ],
        },
      ],
    });
  });

  it('DataTransfer: UnknownVendorId', async () => {
    const charger = await connect();
    const reply = await charger.call('DataTransfer', { vendorId: 'com.example' });
    expect(reply[2]).toEqual({ status: 'UnknownVendorId' });
  });
});

describe('CALLERROR codes (OCPP-J 1.6 section 4.2.3)', () => {
  it('an action unknown to OCPP 1.6 is NotImplemented; a known one not taken from a charger is NotSupported', async () => {
    const charger = await connect();
    expect((await charger.call('FlyToTheMoon', {}))[2]).toBe('NotImplemented');
    expect((await charger.call('Reset', { type: 'Hard' }))[2]).toBe('NotSupported');
  });

  it('names what is wrong in a payload, with the 1.6 spellings', async () => {
    const charger = await connect();
    const { chargePointModel: _, ...noModel } = ocpp.bootNotification();
    expect((await charger.call('BootNotification', noModel))[2]).toBe('OccurenceConstraintViolation');
    expect((await charger.call('StartTransaction', ocpp.startTransaction({ meterStart: 'lots' })))[2]).toBe(
      'TypeConstraintViolation',
    );
    expect(
      (await charger.call('StatusNotification', ocpp.statusNotification({ status: 'Sleeping' })))[2],
    ).toBe('PropertyConstraintViolation');
    expect((await charger.call('Heartbeat', { extra: 1 }))[2]).toBe('FormationViolation');
    // Valid OCPP that the contract cannot take: a transaction on connector 0.
    expect((await charger.call('StartTransaction', ocpp.startTransaction({ connectorId: 0 })))[2]).toBe(
      'PropertyConstraintViolation',
    );
    expect(cloud.of('transactionStart').every((published) => published.payload.connectorId !== 0)).toBe(true);
  });

  it('replies exactly once to a CALL repeated with the same unique id while it is in flight', async () => {
    const charger = await connect();
    const uniqueId = randomUUID();
    const frame = JSON.stringify([2, uniqueId, 'Authorize', ocpp.authorize('TAG-1')]);
    charger.sendRaw(frame);
    charger.sendRaw(frame);
    await charger.next((received) => received[1] === uniqueId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(charger.repliesTo(uniqueId)).toHaveLength(1);
    expect(charger.repliesTo(uniqueId)[0]?.[0]).toBe(3);
  });
});

describe('cloud → charger', () => {
  const future = () => new Date(Date.now() + 60_000).toISOString();

  it('remote/start → RemoteStartTransaction, answered on remote/response; an expired one is dropped', async () => {
    const charger = await connect('CP-2');
    await charger.call('Heartbeat', {});
    const requestId = randomUUID();
    const at = new Date().toISOString();
    cloud.push('CP-2', 'remoteStart', {
      requestId: randomUUID(),
      connectorId: 1,
      idTag: 'OLD',
      expiresAt: at,
      at,
    });
    cloud.push('CP-2', 'remoteStart', { requestId, connectorId: 1, idTag: 'TAG-1', expiresAt: future(), at });
    const call = await charger.next((frame) => frame[0] === 2 && frame[2] === 'RemoteStartTransaction');
    expect(call[3]).toEqual({ connectorId: 1, idTag: 'TAG-1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cloud.of('remoteResponse').map((published) => published.payload)).toEqual([
      { requestId, status: 'Accepted', at: expect.any(String) },
    ]);
    expect(charger.callsReceived('RemoteStartTransaction')).toHaveLength(1);
  });

  it('commands go one at a time, in order, each answered on command/response', async () => {
    const charger = await connect('CP-2');
    await charger.call('Heartbeat', {});
    const outstanding: string[] = [];
    let maxOutstanding = 0;
    charger.answerCall = () => ({ status: 'Accepted' });
    charger.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame[0] === 2) {
        outstanding.push(frame[1]);
        maxOutstanding = Math.max(maxOutstanding, outstanding.length);
        outstanding.pop();
      }
    });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const at = new Date().toISOString();
    for (const [index, requestId] of ids.entries()) {
      cloud.push('CP-2', 'command', {
        requestId,
        action: 'ChangeConfiguration',
        payload: { key: 'Key', value: String(index) },
        expiresAt: future(),
        at,
      });
    }
    await charger.next(() => charger.callsReceived('ChangeConfiguration').length === 3);
    expect(
      charger.callsReceived('ChangeConfiguration').map((frame) => (frame[3] as { value: string }).value),
    ).toEqual(['0', '1', '2']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cloud.of('commandResponse').map((published) => published.payload.requestId)).toEqual(ids);
    expect(maxOutstanding).toBe(1);
  });

  it('meter/request → TriggerMessage(MeterValues); the triggered reading echoes its requestId', async () => {
    const charger = await connect('CP-2');
    await charger.call('Heartbeat', {});
    const requestId = randomUUID();
    cloud.push('CP-2', 'meterRequest', { requestId, connectorId: 1, at: new Date().toISOString() });
    const trigger = await charger.next((frame) => frame[0] === 2 && frame[2] === 'TriggerMessage');
    expect(trigger[3]).toEqual({ requestedMessage: 'MeterValues', connectorId: 1 });
    const triggered = ocpp.meterValues(3000);
    for (const sampled of triggered.meterValue[0]?.sampledValue ?? [])
      Object.assign(sampled, { context: 'Trigger' });
    await charger.call('MeterValues', triggered);
    expect(cloud.of('meter').at(-1)?.payload).toMatchObject({ requestId, connectorId: 1 });
  });
});
