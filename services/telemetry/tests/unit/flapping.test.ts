import { describe, expect, it } from '@jest/globals';
import { flappingVerdict, defaultFlappingThresholds as thresholds } from '../../src/detectors/index.js';
import { minutes, presenceObservation, T0 } from '../helpers/factories.js';

/** `count` disconnect/connect pairs, one every `every` minutes from T0. */
const flaps = (count: number, every = 5) =>
  Array.from({ length: count }, (_, index) => [
    presenceObservation({ at: T0 + minutes(index * every), eventType: 'disconnected' }),
    presenceObservation({ at: T0 + minutes(index * every) + 1_000, eventType: 'connected' }),
  ]).flat();

describe('flapping', () => {
  it('opens above the allowed disconnections in the period, not at it', () => {
    const seven = flaps(7);
    const newest = Math.max(...seven.map((event) => event.at));
    expect(flappingVerdict('CP-1', seven, newest, thresholds)?.verdict).toBe('open');
    expect(flappingVerdict('CP-1', flaps(6), newest, thresholds)?.verdict).toBe('clear');
  });

  it('counts only the period before now: disconnections older than an hour fall out (boundary excluded)', () => {
    const seven = flaps(7, 10); // T0 … T0+60 min
    expect(flappingVerdict('CP-1', seven, T0 + minutes(60), thresholds)?.verdict).toBe('clear');
    expect(flappingVerdict('CP-1', seven, T0 + minutes(60) - 1, thresholds)?.verdict).toBe('clear');
    expect(flappingVerdict('CP-1', flaps(8, 8), T0 + minutes(59), thresholds)?.verdict).toBe('open');
  });

  it('counts a lifecycle event delivered twice once, in any order', () => {
    const events = flaps(6);
    const duplicated = [...events, ...events].reverse();
    const newest = Math.max(...events.map((event) => event.at));
    expect(flappingVerdict('CP-1', duplicated, newest, thresholds)?.verdict).toBe('clear');
  });
});
