import { describe, expect, it } from '@jest/globals';
import {
  type MeterObservation,
  stalledChargingVerdict,
  defaultStalledChargingThresholds as thresholds,
} from '../../src/detectors/index.js';
import { meterObservation, minutes, statusObservation, T0 } from '../helpers/factories.js';

// A reading every minute at `registerWh`, `powerW`, from `from` to `to` minutes after T0.
const readings = (from: number, to: number, registerWh = 5_000, powerW = 0): MeterObservation[] =>
  Array.from({ length: to - from + 1 }, (_, index) =>
    meterObservation({ at: T0 + minutes(from + index), registerWh, powerW }),
  );
const charging = [statusObservation({ at: T0 - minutes(30), status: 'Charging' })];
const verdict = (window: { readings: MeterObservation[]; statuses?: typeof charging }) =>
  stalledChargingVerdict(
    'CP-1',
    1,
    { readings: window.readings, statuses: window.statuses ?? charging },
    thresholds,
  );

describe('stalled charging', () => {
  it('opens when Charging, power ~0 and the register still for the configured time (exactly at the boundary)', () => {
    expect(verdict({ readings: readings(0, 10) })).toMatchObject({
      verdict: 'open',
      kind: 'stalled-charging',
      connectorId: 1,
      at: T0 + minutes(10),
    });
    expect(verdict({ readings: readings(0, 9) })?.verdict).toBe('clear');
  });

  it('does not open while power flows or the register moves', () => {
    expect(verdict({ readings: readings(0, 15, 5_000, 7_000) })?.verdict).toBe('clear');
    const moving = readings(0, 15).map((reading, index) => ({ ...reading, registerWh: 5_000 + index * 100 }));
    expect(verdict({ readings: moving })?.verdict).toBe('clear');
  });

  it('does not open when the connector is not Charging (SuspendedEV: the car stopped drawing)', () => {
    const suspended = [statusObservation({ at: T0 - minutes(1), status: 'SuspendedEV', key: 's2' })];
    expect(verdict({ readings: readings(0, 15), statuses: [...charging, ...suspended] })?.verdict).toBe(
      'clear',
    );
  });

  it('counts the stall from when Charging began, not from older readings', () => {
    const statuses = [statusObservation({ at: T0 + minutes(8), status: 'Charging' })];
    expect(verdict({ readings: readings(0, 15), statuses })?.verdict).toBe('clear');
    expect(verdict({ readings: readings(0, 18), statuses })?.verdict).toBe('open');
  });

  it('clears once power returns, and the stall restarts from the flat run', () => {
    const recovered = [
      ...readings(0, 12),
      meterObservation({ at: T0 + minutes(13), registerWh: 5_200, powerW: 7_000 }),
    ];
    expect(verdict({ readings: recovered })?.verdict).toBe('clear');
  });

  it('gives the same verdict whatever the order and however many duplicates', () => {
    const ordered = readings(0, 10);
    const shuffled = [...ordered].reverse();
    const duplicated = [...ordered, ...ordered.slice(3, 7), ordered[0] as MeterObservation];
    expect(verdict({ readings: shuffled })).toEqual(verdict({ readings: ordered }));
    expect(verdict({ readings: duplicated })).toEqual(verdict({ readings: ordered }));
  });

  it('gives no verdict without readings', () => {
    expect(verdict({ readings: [] })).toBeUndefined();
  });
});
