import { distinctInOrder, type Finding } from './findings.js';
import type { MeterObservation, StatusObservation } from './observations.js';

// Site load: the summed power of a site's chargers above a share of its grid limit. The stream is partitioned by
// charger, so a site's chargers are on different shards: each shard writes its connectors' latest power into the
// site's SiteLoad item (one entry per connector, only over an older one) and judges the sum the item holds.

export interface SiteLoadThresholds {
  /** Alert when the site's summed power is above this share of its grid limit. */
  share: number;
  /** A connector's power counts this long after its reading: a charger that stopped reporting stops counting. */
  expiryMs: number;
  /** A connector's entry is rewritten within a window only when its power moved by at least this much. */
  minChangeW: number;
}

export const defaultSiteLoadThresholds: SiteLoadThresholds = {
  share: 0.9,
  // Longer than a window plus a periodic reading (900 s each): a steady charger refreshes its entry in time.
  expiryMs: 1_800_000,
  minChangeW: 500,
};

/** A connector's power as of one reading (device time, epoch ms). */
export interface PowerEntry {
  powerW: number;
  at: number;
}

/** A site's connectors, by `{chargerId}#{connectorId}`. */
export type SiteConnectors = Record<string, PowerEntry>;

export const siteConnectorKey = (chargerId: string, connectorId: number) => `${chargerId}#${connectorId}`;

/**
 * Each connector's newest power (device time, so arrival order and duplicates do not matter), by site connector
 * key: a reading that reports power, or a status other than Charging, which draws nothing from then on (a charger
 * sends no readings after its transaction, so without it the last in-session power would count until it expired).
 * Readings without power say nothing about load.
 */
export function latestPowers(
  readings: MeterObservation[],
  statuses: StatusObservation[] = [],
): Map<string, PowerEntry> {
  const latest = new Map<string, PowerEntry>();
  const offer = (key: string, entry: PowerEntry) => {
    const held = latest.get(key);
    if (!held || held.at <= entry.at) latest.set(key, entry);
  };
  for (const reading of distinctInOrder(readings)) {
    if (reading.powerW === undefined) continue;
    offer(siteConnectorKey(reading.chargerId, reading.connectorId), {
      powerW: Math.max(0, reading.powerW),
      at: reading.at,
    });
  }
  for (const status of distinctInOrder(statuses)) {
    if (status.status !== 'Charging')
      offer(siteConnectorKey(status.chargerId, status.connectorId), { powerW: 0, at: status.at });
  }
  return latest;
}

/**
 * Whether a connector's newest power is worth a write, given its entry as stored (read at the window's first sight
 * of the site, then as this window wrote it): a change of at least `minChangeW`, or a refresh once the entry is
 * half its expiry old while it holds or would hold power (so a connector that keeps reporting never expires). A
 * connector at 0 W with no entry, or with a 0 W one, needs none: an absent or expired entry counts 0 too. Nothing
 * older than the entry is ever written.
 */
export function shouldWriteEntry(
  stored: PowerEntry | undefined,
  latest: PowerEntry,
  thresholds: SiteLoadThresholds,
): boolean {
  if (!stored) return latest.powerW > 0;
  if (latest.at <= stored.at) return false;
  if (Math.abs(latest.powerW - stored.powerW) >= thresholds.minChangeW) return true;
  return (latest.powerW > 0 || stored.powerW > 0) && latest.at - stored.at >= thresholds.expiryMs / 2;
}

/** The condition the store writes an entry under: absent, or older than the one written (shards never regress it). */
export const replacesEntry = (stored: PowerEntry | undefined, entry: PowerEntry) =>
  stored === undefined || stored.at < entry.at;

/** The summed power of the entries still counting at `at` (newer than `at − expiryMs`), and who contributes it. */
export function siteLoadAt(
  connectors: SiteConnectors,
  at: number,
  expiryMs: number,
): { powerW: number; counted: number; byCharger: Map<string, number> } {
  const byCharger = new Map<string, number>();
  let powerW = 0;
  let counted = 0;
  for (const [key, entry] of Object.entries(connectors)) {
    if (entry.at <= at - expiryMs) continue;
    const chargerId = key.slice(0, key.lastIndexOf('#'));
    byCharger.set(chargerId, (byCharger.get(chargerId) ?? 0) + entry.powerW);
    powerW += entry.powerW;
    counted++;
  }
  return { powerW, counted, byCharger };
}

const kW = (watts: number) => `${Math.round(watts / 100) / 10} kW`;

/**
 * The site's verdict at `now` (or at its newest entry, if later): open while the counted power is above
 * `share × gridLimitW`, else clear. The alert lives on the site; `chargerId` names its largest contributor (the
 * newest entry's charger when nothing counts). Undefined for a site with no entries.
 */
export function siteLoadVerdict(
  siteId: string,
  connectors: SiteConnectors,
  gridLimitW: number,
  now: number,
  thresholds: SiteLoadThresholds,
): Finding | undefined {
  const entries = Object.entries(connectors);
  if (entries.length === 0) return undefined;
  const newest = entries.reduce((a, b) =>
    b[1].at > a[1].at || (b[1].at === a[1].at && b[0] > a[0]) ? b : a,
  );
  const at = Math.max(now, newest[1].at);
  const load = siteLoadAt(connectors, at, thresholds.expiryMs);
  const [largest] = [...load.byCharger].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const chargerId = largest?.[0] ?? newest[0].slice(0, newest[0].lastIndexOf('#'));
  const limit = thresholds.share * gridLimitW;
  const summary = `${kW(load.powerW)} from ${load.counted} connector(s) of ${kW(gridLimitW)} grid limit`;
  const base = { kind: 'site-load' as const, siteId, chargerId, at };
  return load.powerW > limit
    ? { ...base, verdict: 'open', detail: `${summary} (above ${Math.round(thresholds.share * 100)} %)` }
    : { ...base, verdict: 'clear', detail: summary };
}
