import type { EntityOf, entities } from '@evcharge/dynamo';
import type { Finding } from './detectors/index.js';

export type Alert = EntityOf<typeof entities.alert>;

export type AlertChange =
  | { type: 'open' | 'refresh' | 'reopen' | 'clear'; alert: Alert }
  | { type: 'none'; reason: 'duplicate-or-older' | 'nothing-open' };

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * The one rule of an alert's life: a sighting opens it (or moves its last seen time on), a clear after its last
 * sighting closes it, a sighting after it cleared reopens it as a new episode. Anything not newer than what the
 * alert already holds (a duplicate, a reordered record, a retried batch) changes nothing.
 */
export function alertChange(current: Alert | undefined, finding: Finding): AlertChange {
  const at = iso(finding.at);
  const connector = finding.connectorId === undefined ? {} : { connectorId: finding.connectorId };
  // A site's alert names the charger that contributed most when an episode opens.
  const site = finding.siteId === undefined ? {} : { siteId: finding.siteId, chargerId: finding.chargerId };
  if (finding.verdict === 'open') {
    if (!current)
      return {
        type: 'open',
        alert: {
          chargerId: finding.chargerId,
          kind: finding.kind,
          status: 'open',
          ...site,
          ...connector,
          firstSeenAt: at,
          lastSeenAt: at,
          detail: finding.detail,
          episodes: 1,
        },
      };
    if (current.status === 'open')
      return at > current.lastSeenAt
        ? { type: 'refresh', alert: { ...current, ...connector, lastSeenAt: at, detail: finding.detail } }
        : { type: 'none', reason: 'duplicate-or-older' };
    if (current.clearedAt !== undefined && at <= current.clearedAt)
      return { type: 'none', reason: 'duplicate-or-older' };
    const { clearedAt: _cleared, ...reopened } = current;
    return {
      type: 'reopen',
      alert: {
        ...reopened,
        ...site,
        ...connector,
        status: 'open',
        firstSeenAt: at,
        lastSeenAt: at,
        detail: finding.detail,
        episodes: current.episodes + 1,
      },
    };
  }
  if (current?.status !== 'open') return { type: 'none', reason: 'nothing-open' };
  if (at <= current.lastSeenAt) return { type: 'none', reason: 'duplicate-or-older' };
  return { type: 'clear', alert: { ...current, status: 'cleared', clearedAt: at } };
}
