import { distinctInOrder, type Finding, type Reported, report } from './findings.js';
import type { MeterObservation, StatusObservation } from './observations.js';

export interface StalledChargingThresholds {
  /** How long power has been ~0 and the register still, while Charging, before it is a stall. */
  stalledAfterMs: number;
  /** At or below this the connector delivers nothing. */
  maxPowerW: number;
  /** A register rise at or below this over the stall is "not moving". */
  maxRegisterDeltaWh: number;
}

export const defaultStalledChargingThresholds: StalledChargingThresholds = {
  stalledAfterMs: 600_000,
  maxPowerW: 50,
  maxRegisterDeltaWh: 1,
};

export interface ConnectorWindow {
  readings: MeterObservation[];
  statuses: StatusObservation[];
}

/**
 * A connector is stalled at its latest reading when its status (newest by device time) is Charging and has been
 * since the start of a trailing run of readings, all with power ~0 (or none reported) and a register that has
 * not moved, lasting at least `stalledAfterMs`. Order and duplicates of the input do not change the verdict.
 */
export function stalledChargingVerdict(
  chargerId: string,
  connectorId: number,
  window: ConnectorWindow,
  thresholds: StalledChargingThresholds,
): Finding | undefined {
  const readings = distinctInOrder(window.readings);
  const statuses = distinctInOrder(window.statuses);
  const latest = readings.at(-1);
  if (!latest) return undefined;
  const statusAt = (at: number) => statuses.filter((status) => status.at <= at).at(-1)?.status;
  const flat = (reading: MeterObservation) => (reading.powerW ?? 0) <= thresholds.maxPowerW;
  let runStart = latest;
  for (let index = readings.length - 1; index >= 0; index--) {
    const reading = readings[index] as MeterObservation;
    if (!flat(reading) || statusAt(reading.at) !== 'Charging') break;
    const rise = (latest.registerWh ?? 0) - (reading.registerWh ?? 0);
    if (Math.abs(rise) > thresholds.maxRegisterDeltaWh) break;
    runStart = reading;
  }
  const base = { kind: 'stalled-charging' as const, chargerId, connectorId, at: latest.at };
  const stalledMs = latest.at - runStart.at;
  if (flat(latest) && statusAt(latest.at) === 'Charging' && stalledMs >= thresholds.stalledAfterMs)
    return {
      ...base,
      verdict: 'open',
      detail: `Charging with power <= ${thresholds.maxPowerW} W and register at ${latest.registerWh ?? '?'} Wh for ${Math.round(stalledMs / 1000)} s`,
    };
  return { ...base, verdict: 'clear', detail: 'delivering power, or not Charging' };
}

export function detectStalledCharging(
  connectors: Map<string, ConnectorWindow>,
  reported: Reported,
  final: boolean,
  thresholds: StalledChargingThresholds,
): Finding[] {
  const findings: Finding[] = [];
  for (const [id, window] of connectors) {
    const [chargerId = '', connector = '0'] = id.split('#');
    const finding = stalledChargingVerdict(chargerId, Number(connector), window, thresholds);
    if (finding) report(reported, finding, final, findings);
  }
  return findings;
}
