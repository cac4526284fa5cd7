import { describe, expect, it } from '@jest/globals';
import {
  energyWhOf,
  hourOf,
  mergedRanges,
  sameRanges,
  withReadings,
} from '../../src/aggregates/hourly-energy.js';
import { meterObservation, minutes, T0 } from '../helpers/factories.js';

describe('hourly energy', () => {
  const readings = [
    meterObservation({ key: 'a', at: T0, registerWh: 1_000 }),
    meterObservation({ key: 'b', at: T0 + minutes(30), registerWh: 4_000 }),
    meterObservation({ key: 'c', at: T0 + minutes(59), registerWh: 6_000 }),
    meterObservation({ key: 'd', at: T0 + minutes(61), registerWh: 6_500 }),
    meterObservation({ key: 'e', connectorId: 2, at: T0 + minutes(10), registerWh: 200 }),
    meterObservation({ key: 'f', connectorId: 2, at: T0 + minutes(20), registerWh: 700 }),
    meterObservation({ key: 'g', at: T0 + minutes(5), registerWh: undefined }),
  ];

  it('keeps each connector’s register range per UTC hour, the hour boundary on the next hour', () => {
    expect(hourOf(T0)).toBe('2026-12-06T10');
    expect(hourOf(T0 + minutes(60) - 1)).toBe('2026-12-06T10');
    const hours = withReadings({}, readings);
    expect(hours).toEqual({
      'CP-1#2026-12-06T10': { '1': { minWh: 1_000, maxWh: 6_000 }, '2': { minWh: 200, maxWh: 700 } },
      'CP-1#2026-12-06T11': { '1': { minWh: 6_500, maxWh: 6_500 } },
    });
    expect(energyWhOf(hours['CP-1#2026-12-06T10'] ?? {})).toBe(5_500);
  });

  it('duplicates, replays and any order give the same ranges', () => {
    const once = withReadings({}, readings);
    const replayed = withReadings(withReadings({}, [...readings].reverse()), [...readings, ...readings]);
    expect(replayed).toEqual(once);
  });

  it('merging a window into a stored hour widens it, and merging it again changes nothing', () => {
    const stored = { '1': { minWh: 500, maxWh: 2_000 } };
    const seen = { '1': { minWh: 1_000, maxWh: 3_000 }, '2': { minWh: 0, maxWh: 10 } };
    const merged = mergedRanges(stored, seen);
    expect(merged).toEqual({ '1': { minWh: 500, maxWh: 3_000 }, '2': { minWh: 0, maxWh: 10 } });
    expect(sameRanges(merged, mergedRanges(merged, seen))).toBe(true);
    expect(sameRanges(stored, merged)).toBe(false);
    expect(energyWhOf(merged)).toBe(2_510);
  });
});
