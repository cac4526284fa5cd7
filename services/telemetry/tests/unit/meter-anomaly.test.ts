import { describe, expect, it } from '@jest/globals';
import {
  meterAnomalyVerdicts,
  stepAnomaly,
  defaultMeterAnomalyThresholds as thresholds,
} from '../../src/detectors/index.js';
import { meterObservation, minutes, T0 } from '../helpers/factories.js';

const at = (minute: number, registerWh: number) =>
  meterObservation({ at: T0 + minutes(minute), registerWh, powerW: 7_000 });

describe('meter anomaly', () => {
  it('flags a register that goes backwards (beyond the tolerance)', () => {
    expect(stepAnomaly(at(0, 5_000), at(1, 4_000), thresholds)).toMatch(/backwards/);
    expect(stepAnomaly(at(0, 5_000), at(1, 4_995), thresholds)).toBeUndefined();
  });

  it('flags a register rising faster than the connector maximum power allows, at the boundary', () => {
    // 22 kW for 1 minute is 366.7 Wh, plus 10 Wh tolerance.
    expect(stepAnomaly(at(0, 5_000), at(1, 5_376), thresholds)).toBeUndefined();
    expect(stepAnomaly(at(0, 5_000), at(1, 5_377), thresholds)).toMatch(/rose 377 Wh/);
  });

  it('opens at the impossible step and clears at the next possible one', () => {
    const verdicts = meterAnomalyVerdicts('CP-1', 1, [at(0, 5_000), at(1, 3_000), at(2, 3_100)], thresholds);
    expect(verdicts.map((verdict) => [verdict.verdict, verdict.at])).toEqual([
      ['open', T0 + minutes(1)],
      ['clear', T0 + minutes(2)],
    ]);
  });

  it('judges steps in device time: out-of-order arrival is not a register going backwards', () => {
    const arrived = [at(2, 5_200), at(0, 5_000), at(1, 5_100)];
    expect(meterAnomalyVerdicts('CP-1', 1, arrived, thresholds).map((verdict) => verdict.verdict)).toEqual([
      'clear',
    ]);
  });

  it('ignores duplicates (same key) and readings without a register', () => {
    const first = at(0, 5_000);
    const withoutRegister = meterObservation({
      at: T0 + minutes(1),
      key: 'no-register',
      registerWh: undefined,
    });
    const verdicts = meterAnomalyVerdicts(
      'CP-1',
      1,
      [first, first, withoutRegister, at(2, 5_100)],
      thresholds,
    );
    expect(verdicts.map((verdict) => verdict.verdict)).toEqual(['clear']);
  });
});
