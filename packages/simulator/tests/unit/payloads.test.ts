import { deviceTopicSchemas, parseOrThrow, toWattHours } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { planIdTags } from '../../src/id-tags.js';
import {
  authRequest,
  badInput,
  badInputKinds,
  badInputTopicKind,
  heartbeat,
  meterReading,
  plug,
  registerValue,
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
