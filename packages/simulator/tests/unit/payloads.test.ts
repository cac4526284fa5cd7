import { randomUUID } from 'node:crypto';
import {
  deviceTopicSchemas,
  parseOrThrow,
  powerSampleOf,
  registerSampleOf,
  toWattHours,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { planIdTags } from '../../src/id-tags.js';
import {
  authorizeIdTag,
  authRequest,
  badInput,
  badInputKinds,
  badInputTopicKind,
  boot,
  commandResponse,
  connectorStatus,
  diagnosticsStatus,
  firmwareStatus,
  heartbeat,
  meterReading,
  meterValues,
  plug,
  registerValue,
  remoteResponse,
  transactionStart,
  transactionStop,
} from '../../src/payloads.js';

const at = new Date('2026-11-25T07:00:00.123Z');
const schemaOf = deviceTopicSchemas;

describe('device payloads', () => {
  it('builds contract-valid messages', () => {
    const request = authRequest({ connectorId: 1, idTag: 'TAG1', at });
    expect(request.message.kind).toBe('authRequest');
    expect(JSON.parse(request.message.payload)).toEqual({
      requestId: request.requestId,
      connectorId: 1,
      idTag: 'TAG1',
      at: '2026-11-25T07:00:00.123Z',
    });
    expect(JSON.parse(heartbeat({ at, firmware: 'sim' }).payload)).toEqual({
      at: at.toISOString(),
      firmware: 'sim',
    });
    expect(JSON.parse(plug({ connectorId: 2, event: 'unplugged', at }).payload)).toMatchObject({
      event: 'unplugged',
    });
    const trigger = meterReading({
      connectorId: 1,
      at,
      registerWh: 12_345.9,
      unit: 'kWh',
      powerW: 7400.4,
      context: 'Trigger',
      requestId: '3f0c6f4e-8c1f-4c4e-9a4b-2d9f3c1e5a77',
    });
    expect(JSON.parse(trigger.payload)).toMatchObject({
      energy: { value: 12.345, unit: 'kWh' },
      powerW: 7400,
      context: 'Trigger',
      requestId: '3f0c6f4e-8c1f-4c4e-9a4b-2d9f3c1e5a77',
    });
  });

  it('refuses to send what the contract forbids', () => {
    expect(() => authRequest({ connectorId: 1, idTag: 'X'.repeat(21), at })).toThrow(/idTag/);
    expect(() =>
      meterReading({
        connectorId: 1,
        at,
        registerWh: 1,
        unit: 'Wh',
        powerW: 0,
        context: 'Sample.Periodic',
        requestId: '3f0c6f4e-8c1f-4c4e-9a4b-2d9f3c1e5a77',
      }),
    ).toThrow(/requestId/);
  });

  it('reports registers the way meters do, losing no Wh in kWh', () => {
    expect(registerValue(1234.99, 'Wh')).toBe(1234);
    expect(toWattHours({ value: registerValue(1_234_567.8, 'kWh'), unit: 'kWh' })).toBe(1_234_567);
  });

  it.each(badInputKinds)('bad input %s is rejected by its topic schema', (kind) => {
    const bad = badInput(kind, { connectorId: 1, at });
    expect(bad.kind).toBe(badInputTopicKind[kind]);
    const parse = () => parseOrThrow(schemaOf[bad.kind], JSON.parse(bad.payload));
    expect(parse).toThrow();
  });
});

it('keeps the unknown field clear of the rule envelope fields the SELECT overwrites', () => {
  const payload = JSON.parse(badInput('unknown-field', { connectorId: 1, at }).payload);
  for (const envelopeField of ['chargerId', 'clientId', 'receivedAt'])
    expect(payload).not.toHaveProperty(envelopeField);
});

describe('idTag plan', () => {
  it('gives every charger its own valid tag and keeps tags within 20 characters', () => {
    const plan = planIdTags('SIMULATE', 120);
    expect(plan.validByCharger).toHaveLength(120);
    expect(new Set(plan.validByCharger).size).toBe(120);
    expect(plan.blocked).toHaveLength(24);
    for (const tag of [...plan.validByCharger, ...plan.blocked, ...plan.expired, ...plan.unknown]) {
      expect(tag.length).toBeLessThanOrEqual(20);
    }
    for (const tag of plan.unknown) expect(plan.userOf[tag]).toBeUndefined();
  });
});

describe('v2 payloads', () => {
  const valid = (message: { kind: string; payload: string }) =>
    schemaOf[message.kind as keyof typeof schemaOf].safeParse(JSON.parse(message.payload)).success;

  it('builds contract-valid OCPP-shaped requests and reports', () => {
    const messages = [
      boot({ serial: 'SIM-001', firmware: 'evcharge-sim/1.0', at }).message,
      authorizeIdTag({ idTag: 'TAG1', at }).message,
      connectorStatus({ connectorId: 0, status: 'Available', at }),
      connectorStatus({ connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', at }),
      transactionStart({ connectorId: 1, idTag: 'TAG1', meterStartWh: 1234.9, at }).message,
      transactionStop({ transactionId: 42, meterStopWh: 2000, reason: 'EVDisconnected', at }).message,
      remoteResponse({ requestId: randomUUID(), status: 'Rejected', at }),
      commandResponse({ requestId: randomUUID(), status: 'Accepted', payload: { configurationKey: [] }, at }),
      firmwareStatus({ status: 'Idle', at }),
      diagnosticsStatus({ status: 'Idle', at }),
    ];
    expect(messages.filter((message) => !valid(message))).toEqual([]);
    expect(messages.map((message) => message.kind)).toEqual([
      'boot',
      'authorize',
      'status',
      'status',
      'transactionStart',
      'transactionStop',
      'remoteResponse',
      'commandResponse',
      'firmwareStatus',
      'diagnosticsStatus',
    ]);
    // OCPP registers are integer Wh.
    expect(JSON.parse(messages[4]!.payload)).toMatchObject({ meterStart: 1234 });
    // The idTag rides on a stop only when given (OCPP: the tag that stopped it).
    expect(JSON.parse(messages[5]!.payload)).not.toHaveProperty('idTag');
  });

  it('refuses to build what the contract refuses (a negative register)', () => {
    expect(() => transactionStart({ connectorId: 1, idTag: 'TAG1', meterStartWh: -1, at })).toThrow(
      /meterStart/,
    );
  });

  it('sends readings as OCPP MeterValues the backend reads the register and power from', () => {
    const reading = meterValues({
      connectorId: 1,
      transactionId: 7,
      sessionId: randomUUID(),
      at,
      registerWh: 12_345.9,
      unit: 'kWh',
      powerW: 7400.4,
      context: 'Sample.Periodic',
    });
    expect(valid(reading)).toBe(true);
    const [meterValue] = JSON.parse(reading.payload).meterValue;
    expect(meterValue.timestamp).toBe(at.toISOString());
    expect(registerSampleOf(meterValue)).toEqual({ index: 0, value: 12_345 });
    expect(powerSampleOf(meterValue)).toEqual({ index: 1, value: 7400 });
  });
});
