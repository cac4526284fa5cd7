import { describe, expect, it } from '@jest/globals';
import { costMinor, type EnergyUnit, type Tariff, toWattHours } from '../../src/index.js';

describe('toWattHours', () => {
  it.each([
    [0, 'Wh', 0],
    [1, 'Wh', 1],
    [12_345, 'Wh', 12_345],
    [2.4, 'Wh', 2],
    [2.5, 'Wh', 3], // half up
    [0.5, 'Wh', 1],
    [0.49, 'Wh', 0],
    [1e12, 'Wh', 1e12],
    [0, 'kWh', 0],
    [1, 'kWh', 1_000],
    [12.345, 'kWh', 12_345],
    [1.005, 'kWh', 1_005], // 1.005 * 1000 = 1004.9999999999999 in floating point
    [4.35, 'kWh', 4_350], // 4.35 * 1000 = 4349.999999999999
    [0.1 + 0.2, 'kWh', 300], // 300.00000000000006
    [1.0005, 'kWh', 1_001], // 1000.5 Wh rounds half up
    [0.0005, 'kWh', 1],
    [0.0004, 'kWh', 0],
    [1234.5675, 'kWh', 1_234_568],
    [999_999.9999, 'kWh', 1_000_000_000],
    [1e9, 'kWh', 1e12],
  ] as const)('%p %s → %p Wh', (value, unit, wattHours) => {
    expect(toWattHours({ value, unit: unit as EnergyUnit })).toBe(wattHours);
  });

  it('always returns an integer', () => {
    for (let thousandths = 0; thousandths <= 20_000; thousandths += 7) {
      const wattHours = toWattHours({ value: thousandths / 1000, unit: 'kWh' });
      expect(Number.isInteger(wattHours)).toBe(true);
      expect(wattHours).toBe(thousandths); // exact: every 0.001 kWh is a whole Wh
    }
  });
});

describe('costMinor', () => {
  const won: Tariff = { pricePerKwhMinor: 350, currency: 'KRW' };
  const cents: Tariff = { pricePerKwhMinor: 45, currency: 'EUR' };

  it.each([
    [0, won, 0],
    [1_000, won, 350],
    [12_345, won, 4_321], // 4320.75 → 4321
    [1, won, 0], // 0.35
    [2, won, 1], // 0.70
    [1_000, cents, 45],
    [10, cents, 0], // 0.45 → 0
    [100, { pricePerKwhMinor: 5, currency: 'EUR' }, 1], // exactly 0.5 → half up
    [300, { pricePerKwhMinor: 5, currency: 'EUR' }, 2], // 1.5 → 2
    [99, { pricePerKwhMinor: 5, currency: 'EUR' }, 0], // 0.495 → 0
    [12_345, { pricePerKwhMinor: 0, currency: 'KRW' }, 0], // free charging
  ] as const)('%p Wh at %o costs %p', (energyWh, tariff, expected) => {
    expect(costMinor(energyWh, tariff)).toBe(expected);
  });

  it('stays an exact integer for large values', () => {
    // 1e12 Wh (the largest register) at 35,000 per kWh: the product passes 2^53.
    expect(costMinor(1e12, { pricePerKwhMinor: 35_000, currency: 'KRW' })).toBe(35_000_000_000_000);
    expect(costMinor(999_999_999_999, { pricePerKwhMinor: 35_000, currency: 'KRW' })).toBe(
      34_999_999_999_965,
    );
    // 999,999,999,499 × 35,001 = 35,000,999,982,464,499: ends in 499, so it rounds down; float maths says …465.
    expect(costMinor(999_999_999_499, { pricePerKwhMinor: 35_001, currency: 'KRW' })).toBe(
      35_000_999_982_464,
    );
    expect(costMinor(1e12, { pricePerKwhMinor: 1, currency: 'KRW' })).toBe(1_000_000_000);
  });

  it.each([
    ['negative energy', -1, won],
    ['fractional energy', 1.5, won],
    ['NaN energy', Number.NaN, won],
    ['infinite energy', Number.POSITIVE_INFINITY, won],
    ['a negative price', 1_000, { pricePerKwhMinor: -350, currency: 'KRW' }],
    ['a fractional price', 1_000, { pricePerKwhMinor: 3.5, currency: 'KRW' }],
    ['a NaN price', 1_000, { pricePerKwhMinor: Number.NaN, currency: 'KRW' }],
  ])('rejects %s', (_description, energyWh, tariff) => {
    expect(() => costMinor(energyWh, tariff)).toThrow(RangeError);
  });
});
