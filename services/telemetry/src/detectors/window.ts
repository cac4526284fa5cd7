import type { HourRanges } from '../aggregates/hourly-energy.js';
import type { Finding, Reported } from './findings.js';
import { defaultFlappingThresholds, detectFlapping, type FlappingThresholds } from './flapping.js';
import {
  defaultMeterAnomalyThresholds,
  detectMeterAnomalies,
  type MeterAnomalyThresholds,
} from './meter-anomaly.js';
import type {
  MeterObservation,
  Observation,
  PresenceObservation,
  StatusObservation,
} from './observations.js';
import { defaultSiteLoadThresholds, type PowerEntry, type SiteLoadThresholds } from './site-load.js';
import {
  type ConnectorWindow,
  defaultStalledChargingThresholds,
  detectStalledCharging,
  type StalledChargingThresholds,
} from './stalled-charging.js';

// One tumbling window of one shard: what the detectors have seen so far (Lambda hands it back on the next
// invocation of the same window, and starts the next window empty), and the verdicts already reported.

export interface WindowState {
  /** By `{chargerId}#{connectorId}`. */
  readings: Record<string, MeterObservation[]>;
  statuses: Record<string, StatusObservation[]>;
  /** By chargerId. */
  presence: Record<string, PresenceObservation[]>;
  reported: Reported;
  /** Chargers whose stored lifecycle history (the hour before this window) has been merged into `presence`. */
  historyLoaded?: Record<string, true>;
  /** Each charger's site (null: none) and each site's grid limit (null: none), read once a window. */
  chargerSites?: Record<string, string | null>;
  siteLimits?: Record<string, number | null>;
  /** By site connector key: its SiteLoad entry as read at the window's first sight of the site, then as written. */
  siteLoadWritten?: Record<string, PowerEntry>;
  /** By `{chargerId}#{hour}`: the register ranges this window has seen, written at its final invoke. */
  energyHours?: Record<string, HourRanges>;
}

export interface Thresholds {
  stalledCharging: StalledChargingThresholds;
  meterAnomaly: MeterAnomalyThresholds;
  flapping: FlappingThresholds;
  siteLoad: SiteLoadThresholds;
}

export const defaultThresholds: Thresholds = {
  stalledCharging: defaultStalledChargingThresholds,
  meterAnomaly: defaultMeterAnomalyThresholds,
  flapping: defaultFlappingThresholds,
  siteLoad: defaultSiteLoadThresholds,
};

// Caps that keep a window's state well under Lambda's 1 MB (the newest observations are kept).
export const stateLimits = { readings: 120, statuses: 20, presence: 200 };

export function emptyWindowState(): WindowState {
  return { readings: {}, statuses: {}, presence: {}, reported: {}, historyLoaded: {} };
}

/** The state Lambda handed back, or an empty one for a new window (or one this code cannot read). */
export function windowStateOf(state: unknown): WindowState {
  const candidate = state as Partial<WindowState> | undefined;
  if (!candidate?.readings || !candidate.statuses || !candidate.presence || !candidate.reported)
    return emptyWindowState();
  return candidate as WindowState;
}

export const connectorKey = (chargerId: string, connectorId: number) => `${chargerId}#${connectorId}`;

function appended<Item extends { key: string; at: number }>(
  list: Item[] | undefined,
  item: Item,
  limit: number,
): Item[] {
  const next = (list ?? []).some((existing) => existing.key === item.key)
    ? (list ?? [])
    : [...(list ?? []), item];
  return next.length > limit ? [...next].sort((a, b) => a.at - b.at).slice(-limit) : next;
}

/** The state with these observations added (each key once), without changing the one given. */
export function withObservations(state: WindowState, observations: Observation[]): WindowState {
  const next: WindowState = {
    ...state,
    readings: { ...state.readings },
    statuses: { ...state.statuses },
    presence: { ...state.presence },
    reported: { ...state.reported },
    historyLoaded: { ...state.historyLoaded },
  };
  for (const observation of observations) {
    if (observation.type === 'meter') {
      const key = connectorKey(observation.chargerId, observation.connectorId);
      next.readings[key] = appended(next.readings[key], observation, stateLimits.readings);
    } else if (observation.type === 'status') {
      const key = connectorKey(observation.chargerId, observation.connectorId);
      next.statuses[key] = appended(next.statuses[key], observation, stateLimits.statuses);
    } else {
      next.presence[observation.chargerId] = appended(
        next.presence[observation.chargerId],
        observation,
        stateLimits.presence,
      );
    }
  }
  return next;
}

/**
 * Connectors whose status the stall detector needs but this window has not seen (a status is sent on change, often
 * long before): they have a reading at ~0 W. The handler reads each one's last status from the table once.
 */
export function connectorsNeedingStatus(state: WindowState, thresholds: Thresholds): string[] {
  return Object.entries(state.readings)
    .filter(
      ([key, readings]) =>
        !state.statuses[key]?.length &&
        readings.some((reading) => (reading.powerW ?? 0) <= thresholds.stalledCharging.maxPowerW),
    )
    .map(([key]) => key);
}

export interface WindowInvocation {
  /** Lambda's isFinalInvokeForWindow: open alerts are reported again (last seen moves) and flapping is judged at the end. */
  final: boolean;
  /** The window's end, epoch ms. */
  windowEnd: number;
}

/** Runs every detector over the window so far; returns what to write and the state to hand back. */
export function analyseWindow(
  state: WindowState,
  invocation: WindowInvocation,
  thresholds: Thresholds = defaultThresholds,
): { findings: Finding[]; state: WindowState } {
  const reported = { ...state.reported };
  const connectors = new Map<string, ConnectorWindow>(
    Object.entries(state.readings).map(([key, readings]) => [
      key,
      { readings, statuses: state.statuses[key] ?? [] },
    ]),
  );
  const findings = [
    ...detectStalledCharging(connectors, reported, invocation.final, thresholds.stalledCharging),
    ...detectMeterAnomalies(
      new Map(Object.entries(state.readings)),
      reported,
      invocation.final,
      thresholds.meterAnomaly,
    ),
    ...detectFlapping(
      new Map(Object.entries(state.presence)),
      reported,
      invocation.final,
      invocation.windowEnd,
      thresholds.flapping,
    ),
  ];
  return { findings, state: { ...state, reported } };
}

/**
 * Flapping counts over an hour, longer than a window lives: chargers with lifecycle events in this batch whose
 * stored history this window has not merged yet (the handler reads each once per window).
 */
export function chargersNeedingHistory(state: WindowState, batch: Observation[]): string[] {
  const chargers = batch
    .filter((observation) => observation.type === 'presence')
    .map((event) => event.chargerId);
  return [...new Set(chargers)].filter((chargerId) => !state.historyLoaded?.[chargerId]).sort();
}

/** The state with a charger's stored history merged (each event once) and marked as loaded. */
export function withHistory(
  state: WindowState,
  chargerId: string,
  history: PresenceObservation[],
): WindowState {
  const merged = withObservations(state, history);
  return { ...merged, historyLoaded: { ...merged.historyLoaded, [chargerId]: true } };
}

/**
 * What to store for each charger whose lifecycle events changed between two states: its events of the flapping
 * period before its newest one (older ones can no longer count).
 */
export function historiesToStore(
  before: WindowState,
  after: WindowState,
  periodMs: number,
): { chargerId: string; events: PresenceObservation[] }[] {
  return Object.entries(after.presence)
    .filter(([chargerId, events]) => {
      const stored = new Set((before.presence[chargerId] ?? []).map((event) => event.key));
      return events.some((event) => !stored.has(event.key));
    })
    .map(([chargerId, events]) => {
      const newest = Math.max(...events.map((event) => event.at));
      return { chargerId, events: events.filter((event) => event.at > newest - periodMs) };
    });
}
