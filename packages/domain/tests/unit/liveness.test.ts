import { describe, expect, it } from '@jest/globals';
import {
  isClockSkewed,
  isFreshSignOfLife,
  LATE_SIGN_OF_LIFE_MS,
  livenessWindowMs,
  offlineDeadlineMs,
} from '../../src/index.js';

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('livenessWindowMs', () => {
  it.each([
    [undefined, undefined, 660_000],
    [300, 60, 660_000],
    [60, 60, 180_000],
    [300, 0, 600_000],
    [900, 30, 1_830_000],
  ])('interval %p s, grace %p s → %p ms', (intervalS, graceS, expected) => {
    expect(livenessWindowMs(intervalS, graceS)).toBe(expected);
  });
});

describe('offlineDeadlineMs', () => {
  it('puts the deadline one window after the last sign of life (default 660 s)', () => {
    expect(offlineDeadlineMs(T0)).toBe(T0 + 660_000);
    expect(offlineDeadlineMs(T0, 180_000)).toBe(T0 + 180_000);
  });
});

describe('isFreshSignOfLife', () => {
  it.each([
    [0, true],
    [LATE_SIGN_OF_LIFE_MS, true],
    [LATE_SIGN_OF_LIFE_MS + 1, false],
  ])('processed %p ms after receipt → fresh %p', (delayMs, expected) => {
    expect(isFreshSignOfLife(T0, T0 + delayMs)).toBe(expected);
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
