import type { MeterObservation } from '../detectors/observations.js';

// Hourly energy per charger (and per site) for the console, from the readings the analysis stream carries:
// each connector's lowest and highest register within the UTC hour, so a duplicate or replayed reading changes
// nothing; the hour's energy is Σ (max − min), the same measure as the `energy-per-charger-day` query.

/** A connector's register range within an hour, Wh. */
export interface RegisterRange {
  minWh: number;
  maxWh: number;
}

/** By connectorId. */
export type HourRanges = Record<string, RegisterRange>;

/** The UTC hour of a device time, `yyyy-MM-ddTHH` (the aggregates' sort key). */
export const hourOf = (at: number) => new Date(at).toISOString().slice(0, 13);

export const chargerHourKey = (chargerId: string, hour: string) => `${chargerId}#${hour}`;

/** Merges two hours' ranges: the union of connectors, min of mins and max of maxes. */
export function mergedRanges(stored: HourRanges | undefined, seen: HourRanges): HourRanges {
  const merged: HourRanges = { ...stored };
  for (const [connectorId, range] of Object.entries(seen)) {
    const before = merged[connectorId];
    merged[connectorId] = before
      ? { minWh: Math.min(before.minWh, range.minWh), maxWh: Math.max(before.maxWh, range.maxWh) }
      : range;
  }
  return merged;
}

export const sameRanges = (a: HourRanges, b: HourRanges) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(b).every(([id, range]) => a[id]?.minWh === range.minWh && a[id]?.maxWh === range.maxWh);

/** An hour's energy, Wh: each connector's register rise within it. */
export const energyWhOf = (ranges: HourRanges) =>
  Object.values(ranges).reduce((sum, range) => sum + Math.max(0, range.maxWh - range.minWh), 0);

/**
 * The ranges these readings add to what a window holds, by `{chargerId}#{hour}`; readings without a register
 * are skipped. Pure: the same readings in any order, any number of times, give the same ranges.
 */
export function withReadings(
  hours: Record<string, HourRanges>,
  readings: MeterObservation[],
): Record<string, HourRanges> {
  const next = { ...hours };
  for (const reading of readings) {
    if (reading.registerWh === undefined) continue;
    const key = chargerHourKey(reading.chargerId, hourOf(reading.at));
    const range = { minWh: reading.registerWh, maxWh: reading.registerWh };
    next[key] = mergedRanges(next[key], { [String(reading.connectorId)]: range });
  }
  return next;
}
