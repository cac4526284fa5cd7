import type { energyUnits } from './contract/device.js';

export type EnergyUnit = (typeof energyUnits)[number];

/** Normalizes a register reading to integer Wh (rounded half up, as meters do). */
export function toWattHours(energy: { value: number; unit: EnergyUnit }): number {
  const wattHours = energy.unit === 'kWh' ? energy.value * 1000 : energy.value;
  // Guard the float error of kWh * 1000 (e.g. 1.005 * 1000 = 1004.9999…).
  return Math.round(Number(wattHours.toPrecision(15)));
}

export interface Tariff {
  /** Price of one kWh in integer minor units (cents, won). */
  pricePerKwhMinor: number;
  /** ISO-4217 code. */
  currency: string;
}

/** Cost of energy in integer minor units, rounded half up. Integer maths: no float drift on money. */
export function costMinor(energyWh: number, tariff: Tariff): number {
  if (!Number.isInteger(energyWh) || energyWh < 0)
    throw new RangeError(`energyWh must be a non-negative integer`);
  if (!Number.isInteger(tariff.pricePerKwhMinor) || tariff.pricePerKwhMinor < 0)
    throw new RangeError(`pricePerKwhMinor must be a non-negative integer`);
  // BigInt: energyWh × price passes 2^53 for large registers, where float maths would round wrongly.
  return Number((BigInt(energyWh) * BigInt(tariff.pricePerKwhMinor) + 500n) / 1000n);
}
