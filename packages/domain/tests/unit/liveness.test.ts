import { describe, expect, it } from '@jest/globals';
import { isClockSkewed, livenessWindowMs } from '../../src/index.js';

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('livenessWindowMs', () => {
  it.each([
    [undefined, undefined, undefined, 3_600_000],
    [300, 60, 0, 660_000],
    [60, 60, 0, 180_000],
    [300, 60, 3600, 3_600_000],
    [3600, 60, 3600, 7_260_000],
    [2, 5, 10, 10_000],
  ])('interval %p s, grace %p s, backstop %p s → %p ms', (intervalS, graceS, backstopS, expected) => {
    expect(livenessWindowMs(intervalS, graceS, backstopS)).toBe(expected);
  });
});

describe('isClockSkewed', () => {
  it.each([
    [0, false],
    [5 * 60 * 1000, false],
    [5 * 60 * 1000 + 1, true],
    [-(5 * 60 * 1000 + 1), true],
    [-60_000, false],
  ])('device clock off by %p ms → flagged %p', (offsetMs, expected) => {
    expect(isClockSkewed(iso(T0 + offsetMs), T0)).toBe(expected);
  });
});
