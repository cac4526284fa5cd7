import { distinctInOrder, type Finding, type Reported, report } from './findings.js';
import type { PresenceObservation } from './observations.js';

export interface FlappingThresholds {
  /** More disconnections than this within `periodMs` is flapping. */
  maxDisconnects: number;
  periodMs: number;
}

export const defaultFlappingThresholds: FlappingThresholds = { maxDisconnects: 6, periodMs: 3_600_000 };

/**
 * Flapping at `now` (the newest event, or the window's end at its final invoke): more distinct disconnections in
 * (now − period, now] than allowed. Duplicated lifecycle events count once (session and type).
 */
export function flappingVerdict(
  chargerId: string,
  events: PresenceObservation[],
  now: number,
  thresholds: FlappingThresholds,
): Finding | undefined {
  const distinct = distinctInOrder(events);
  if (distinct.length === 0) return undefined;
  const disconnects = distinct.filter(
    (event) => event.eventType === 'disconnected' && event.at > now - thresholds.periodMs && event.at <= now,
  ).length;
  const base = { kind: 'flapping' as const, chargerId, at: now };
  return disconnects > thresholds.maxDisconnects
    ? {
        ...base,
        verdict: 'open',
        detail: `${disconnects} disconnections in ${thresholds.periodMs / 60_000} min (more than ${thresholds.maxDisconnects})`,
      }
    : {
        ...base,
        verdict: 'clear',
        detail: `${disconnects} disconnections in ${thresholds.periodMs / 60_000} min`,
      };
}

export function detectFlapping(
  chargers: Map<string, PresenceObservation[]>,
  reported: Reported,
  final: boolean,
  windowEnd: number,
  thresholds: FlappingThresholds,
): Finding[] {
  const findings: Finding[] = [];
  for (const [chargerId, events] of chargers) {
    const newest = Math.max(...events.map((event) => event.at));
    const finding = flappingVerdict(
      chargerId,
      events,
      final && Number.isFinite(windowEnd) ? Math.max(newest, windowEnd) : newest,
      thresholds,
    );
    if (finding) report(reported, finding, final, findings);
  }
  return findings;
}
