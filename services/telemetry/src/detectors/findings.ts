// What a detector concludes about one charger (and connector) at a time: the alert opens (or stays open) or clears.

import type { AlertKind } from '@evcharge/domain';

export type { AlertKind };

export interface Finding {
  kind: AlertKind;
  chargerId: string;
  connectorId?: number;
  /** A site-wide kind (site-load): the alert is the site's, and `chargerId` names its largest contributor. */
  siteId?: string;
  verdict: 'open' | 'clear';
  /** When the condition was seen (open) or seen gone (clear), epoch ms: the alert orders by it. */
  at: number;
  detail: string;
}

/** Per (charger, connector, kind): the verdict last reported in this window, so each change is written once. */
export type Reported = Record<string, 'open' | 'clear'>;

export const subjectKey = (kind: AlertKind, chargerId: string, connectorId?: number) =>
  `${kind}#${chargerId}#${connectorId ?? ''}`;

/**
 * Reports a verdict when it differs from the last one reported in this window (the first one in a window always
 * is: an alert from an earlier window may be open), and every open verdict again at the window's final invoke
 * (its last seen time moves on).
 */
export function report(reported: Reported, finding: Finding, final: boolean, findings: Finding[]): void {
  const key =
    finding.siteId === undefined
      ? subjectKey(finding.kind, finding.chargerId, finding.connectorId)
      : subjectKey(finding.kind, `SITE#${finding.siteId}`);
  if (reported[key] === finding.verdict && !(final && finding.verdict === 'open')) return;
  reported[key] = finding.verdict;
  findings.push(finding);
}

/** The distinct observations, by key, in time order (ties by key): the same set gives the same list. */
export function distinctInOrder<Item extends { key: string; at: number }>(items: Item[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const item of items) if (!byKey.has(item.key)) byKey.set(item.key, item);
  return [...byKey.values()].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
