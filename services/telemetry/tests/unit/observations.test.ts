import { describe, expect, it } from '@jest/globals';
import { observationsOf } from '../../src/detectors/index.js';
import { meterEventV1, meterEventV2, presenceEvent, statusEvent, T0 } from '../helpers/factories.js';

describe('observations from the analysis rules events', () => {
  it('reads a v1 meter reading (kWh → Wh)', () => {
    const event = meterEventV1('CP-1', T0, 12.5, 7_000, { energy: { value: 12.5, unit: 'kWh' } });
    expect(observationsOf(event)).toEqual([
      expect.objectContaining({
        type: 'meter',
        chargerId: 'CP-1',
        connectorId: 1,
        at: T0,
        registerWh: 12_500,
        powerW: 7_000,
      }),
    ]);
  });

  it('reads a v2 MeterValues register (kWh, OCPP defaults) and power', () => {
    expect(observationsOf(meterEventV2('CP-1', T0, 12_345, 3_600))).toEqual([
      expect.objectContaining({ type: 'meter', at: T0, registerWh: 12_345, powerW: 3_600 }),
    ]);
  });

  it('gives the same key to the same message delivered twice', () => {
    const event = meterEventV2('CP-1', T0, 1_000, 0);
    expect(observationsOf(event)[0]?.key).toBe(observationsOf({ ...event, receivedAt: T0 + 9_999 })[0]?.key);
  });

  it('reads status notifications and lifecycle events', () => {
    expect(observationsOf(statusEvent('CP-1', T0, 'Charging'))).toEqual([
      expect.objectContaining({ type: 'status', status: 'Charging', at: T0 }),
    ]);
    expect(observationsOf(presenceEvent('CP-1', T0, 'disconnected'))).toEqual([
      expect.objectContaining({ type: 'presence', eventType: 'disconnected', at: T0 }),
    ]);
  });

  it('skips what it cannot read, and the main meter (connector 0)', () => {
    expect(observationsOf({ topic: 'chargers/CP-1/meter' })).toEqual([]);
    expect(observationsOf(statusEvent('CP-1', T0, 'Dancing'))).toEqual([]);
    expect(observationsOf(meterEventV1('CP-1', T0, 1, 0, { connectorId: 0 }))).toEqual([]);
    expect(observationsOf({ ...meterEventV1('CP-1', T0, 1, 0), topic: 'chargers/CP-1/heartbeat' })).toEqual(
      [],
    );
  });

  it('skips a reading or status the contract refuses (the services dead-letter it), so bad input is no anomaly', () => {
    // A negative register (a simulator's deliberate bad input once opened a meter-anomaly alert from it).
    expect(observationsOf(meterEventV1('CP-1', T0, -4_000_000, 0))).toEqual([]);
    expect(observationsOf(meterEventV1('CP-1', T0, 1_000, 0, { voltage: 230 }))).toEqual([]);
    expect(observationsOf({ ...statusEvent('CP-1', T0, 'Charging'), errorCode: 'Melted' })).toEqual([]);
    // The envelope the rules add (clientId, topic, receivedAt) is not part of what is checked.
    expect(observationsOf({ ...meterEventV1('CP-1', T0, 1_000, 0), clientId: 'CP-1' })).toHaveLength(1);
  });
});
