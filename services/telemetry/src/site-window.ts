import { type HourRanges, withReadings } from './aggregates/hourly-energy.js';
import type { AlertChange } from './alert-rules.js';
import {
  type Finding,
  latestPowers,
  type MeterObservation,
  type PowerEntry,
  type SiteConnectors,
  type SiteLoadThresholds,
  type StatusObservation,
  shouldWriteEntry,
  siteLoadVerdict,
  type WindowInvocation,
  type WindowState,
} from './detectors/index.js';

// What spans a site's chargers, which sit on different shards: site load (each shard writes its connectors' power
// into the site's item and judges the sum the item then holds) and the hourly energy kept for the console.

export interface SiteDependencies {
  chargerSite: (chargerId: string) => Promise<string | undefined>;
  siteGridLimitW: (siteId: string) => Promise<number | undefined>;
  recordSitePower: (siteId: string, connectorKey: string, entry: PowerEntry) => Promise<SiteConnectors>;
  readSiteLoad: (siteId: string) => Promise<SiteConnectors>;
  applyFinding: (finding: Finding) => Promise<AlertChange>;
  saveChargerEnergyHour: (chargerId: string, hour: string, seen: HourRanges) => Promise<number>;
  raiseSiteEnergyHour: (siteId: string, hour: string, chargerId: string, energyWh: number) => Promise<void>;
}

/**
 * The state with the site of each of these chargers, each such site's limit and (for a site with a limit) its
 * stored entries, read once a window.
 */
export async function withSites(
  state: WindowState,
  chargerIds: string[],
  dependencies: SiteDependencies,
): Promise<WindowState> {
  const chargerSites = { ...state.chargerSites };
  const siteLimits = { ...state.siteLimits };
  let siteLoadWritten = state.siteLoadWritten ?? {};
  for (const chargerId of new Set(chargerIds)) {
    if (!(chargerId in chargerSites))
      chargerSites[chargerId] = (await dependencies.chargerSite(chargerId)) ?? null;
    const siteId = chargerSites[chargerId];
    if (!siteId || siteId in siteLimits) continue;
    const limit = (await dependencies.siteGridLimitW(siteId)) ?? null;
    siteLimits[siteId] = limit;
    if (limit !== null)
      siteLoadWritten = { ...(await dependencies.readSiteLoad(siteId)), ...siteLoadWritten };
  }
  return { ...state, chargerSites, siteLimits, siteLoadWritten };
}

/**
 * Site load for one invocation: each connector's newest power worth writing (`shouldWriteEntry`) goes to its site's
 * item, and the site is judged on what the item then holds; at the window's final invoke every site it saw is
 * judged again at the window's end, so a charger gone silent stops counting. Every verdict goes to the site's
 * alert (the alert rule drops what is not newer): another shard may have changed it since.
 */
export async function analyseSiteLoad(
  state: WindowState,
  readings: MeterObservation[],
  statuses: StatusObservation[],
  invocation: WindowInvocation,
  thresholds: SiteLoadThresholds,
  dependencies: SiteDependencies,
): Promise<{ state: WindowState; changes: AlertChange[] }> {
  const siteOf = (chargerId: string) => state.chargerSites?.[chargerId] ?? null;
  const limitOf = (siteId: string) => state.siteLimits?.[siteId] ?? null;
  const written = { ...state.siteLoadWritten };
  const judged = new Map<string, SiteConnectors>();
  for (const [key, entry] of latestPowers(readings, statuses)) {
    const siteId = siteOf(key.slice(0, key.lastIndexOf('#')));
    if (!siteId || limitOf(siteId) === null || !shouldWriteEntry(written[key], entry, thresholds)) continue;
    judged.set(siteId, await dependencies.recordSitePower(siteId, key, entry));
    written[key] = entry;
  }
  let now = Number.NEGATIVE_INFINITY;
  if (invocation.final && Number.isFinite(invocation.windowEnd)) {
    now = invocation.windowEnd;
    for (const [siteId, limit] of Object.entries(state.siteLimits ?? {}))
      if (limit !== null && !judged.has(siteId)) judged.set(siteId, await dependencies.readSiteLoad(siteId));
  }
  const changes: AlertChange[] = [];
  for (const [siteId, connectors] of judged) {
    const finding = siteLoadVerdict(siteId, connectors, limitOf(siteId) ?? 0, now, thresholds);
    if (finding) changes.push(await dependencies.applyFinding(finding));
  }
  return { state: { ...state, siteLoadWritten: written }, changes };
}

/** The state with these readings' register ranges added to the window's hours (written at its final invoke). */
export const withEnergy = (state: WindowState, readings: MeterObservation[]): WindowState => ({
  ...state,
  energyHours: withReadings(state.energyHours ?? {}, readings),
});

/**
 * At the window's final invoke: each charger-hour it saw merged into the charger's stored hour, and the hour's
 * energy raised in its site's. Returns the number of hours written.
 */
export async function saveHourlyEnergy(state: WindowState, dependencies: SiteDependencies): Promise<number> {
  let hours = 0;
  for (const [key, seen] of Object.entries(state.energyHours ?? {})) {
    const separator = key.lastIndexOf('#'); // `{chargerId}#{hour}` (chargerHourKey); ids have no '#'
    const chargerId = key.slice(0, separator);
    const hour = key.slice(separator + 1);
    const energyWh = await dependencies.saveChargerEnergyHour(chargerId, hour, seen);
    const siteId = state.chargerSites?.[chargerId];
    if (siteId) await dependencies.raiseSiteEnergyHour(siteId, hour, chargerId, energyWh);
    hours++;
  }
  return hours;
}
