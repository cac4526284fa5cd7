import { distinctInOrder, type Finding, type Reported, report } from './findings.js';
import type { MeterObservation } from './observations.js';

export interface MeterAnomalyThresholds {
  /** The connector's maximum power: a register cannot rise faster. */
  maxPowerW: number;
  /** Rounding and clock slack on each step. */
  toleranceWh: number;
}

export const defaultMeterAnomalyThresholds: MeterAnomalyThresholds = { maxPowerW: 22_000, toleranceWh: 10 };

/** What is wrong with the step from one reading to the next (in device time), if anything. */
export function stepAnomaly(
  from: MeterObservation,
  to: MeterObservation,
  thresholds: MeterAnomalyThresholds,
): string | undefined {
  if (from.registerWh === undefined || to.registerWh === undefined) return undefined;
  const rise = to.registerWh - from.registerWh;
  if (rise < -thresholds.toleranceWh)
    return `register went backwards ${from.registerWh} → ${to.registerWh} Wh`;
  const hours = (to.at - from.at) / 3_600_000;
  const possible = thresholds.maxPowerW * hours + thresholds.toleranceWh;
  if (rise > possible)
    return `register rose ${rise} Wh in ${Math.round(hours * 3600)} s (at most ${Math.round(possible)} Wh at ${thresholds.maxPowerW} W)`;
  return undefined;
}

/**
 * Each step between consecutive distinct readings (sorted by device time, so arrival order does not matter):
 * an impossible step opens the alert at the step's time; the latest step being possible clears it after.
 */
export function meterAnomalyVerdicts(
  chargerId: string,
  connectorId: number,
  readings: MeterObservation[],
  thresholds: MeterAnomalyThresholds,
): Finding[] {
  const ordered = distinctInOrder(readings).filter((reading) => reading.registerWh !== undefined);
  const verdicts: Finding[] = [];
  const base = { kind: 'meter-anomaly' as const, chargerId, connectorId };
  let lastAnomalyAt: number | undefined;
  for (let index = 1; index < ordered.length; index++) {
    const from = ordered[index - 1] as MeterObservation;
    const to = ordered[index] as MeterObservation;
    const anomaly = stepAnomaly(from, to, thresholds);
    if (anomaly) {
      verdicts.push({ ...base, verdict: 'open', at: to.at, detail: anomaly });
      lastAnomalyAt = to.at;
    }
  }
  const latest = ordered.at(-1);
  if (latest && ordered.length >= 2 && latest.at !== lastAnomalyAt)
    verdicts.push({ ...base, verdict: 'clear', at: latest.at, detail: 'register steps are possible again' });
  return verdicts;
}

export function detectMeterAnomalies(
  connectors: Map<string, MeterObservation[]>,
  reported: Reported,
  final: boolean,
  thresholds: MeterAnomalyThresholds,
): Finding[] {
  const findings: Finding[] = [];
  for (const [id, readings] of connectors) {
    const [chargerId = '', connector = '0'] = id.split('#');
    const verdicts = meterAnomalyVerdicts(chargerId, Number(connector), readings, thresholds);
    // Every anomalous step is reported once (by its time); only the newest verdict decides open/clear.
    for (const verdict of verdicts.slice(0, -1)) {
      const key = `${verdict.chargerId}#${verdict.connectorId}#${verdict.at}`;
      if (verdict.verdict === 'open' && reported[key] === undefined) {
        reported[key] = 'open';
        findings.push(verdict);
      }
    }
    const newest = verdicts.at(-1);
    if (newest) {
      const stepKey = `${newest.chargerId}#${newest.connectorId}#${newest.at}`;
      if (newest.verdict === 'open' && reported[stepKey] === undefined) reported[stepKey] = 'open';
      report(reported, newest, final, findings);
    }
  }
  return findings;
}
