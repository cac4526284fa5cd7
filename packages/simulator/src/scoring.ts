import { type AnomalyKind, anomalyKinds, type GroundTruthEpisode } from './anomalies.js';

// Scores detectors against the injected ground truth, per episode: an episode is found when an alert of its
// kind, for its charger (site load: its site or one of its chargers), opens within it or at most one detector
// window after it; an alert that matches no episode is a false positive. Pure: parse the inputs first.

/** An alert opening: from an `alert.opened` notification (best: one per episode) or an Alert item. */
export interface AlertOpening {
  chargerId: string;
  kind: string;
  /** When the alert opened (its firstSeenAt), epoch ms. */
  openedAtMs: number;
  siteId?: string;
  /** The alert's episode number: the same opening delivered twice counts once. */
  episode?: number;
}

export interface DetectorScore {
  kind: AnomalyKind;
  /** Episodes scored (interrupted ones are left out unless asked for). */
  episodes: number;
  found: number;
  alerts: number;
  truePositives: number;
  falsePositives: number;
  /** truePositives / alerts (1 with no alerts: nothing claimed wrongly). */
  precision: number;
  /** found / episodes (1 with no episodes). */
  recall: number;
  missed: GroundTruthEpisode[];
  spurious: AlertOpening[];
}

export interface ScoreOptions {
  /** How long after an episode's end an opening still counts: the detector's window (per kind, or one for all). */
  windowMs: number | Partial<Record<AnomalyKind, number>>;
  /** Score episodes the fleet cut short by stopping (default false: they may not have reached a threshold). */
  includeInterrupted?: boolean;
  kinds?: readonly AnomalyKind[];
}

const matchesSubject = (episode: GroundTruthEpisode, alert: AlertOpening) =>
  episode.kind === 'site-load'
    ? (alert.siteId !== undefined && alert.siteId === episode.siteId) ||
      (episode.chargerIds ?? [episode.chargerId]).includes(alert.chargerId)
    : alert.chargerId === episode.chargerId;

/** Whether an alert opening belongs to an episode (same kind and subject, within it or one window after). */
export function alertMatchesEpisode(
  alert: AlertOpening,
  episode: GroundTruthEpisode,
  windowMs: number,
): boolean {
  if (alert.kind !== episode.kind || !matchesSubject(episode, alert)) return false;
  const startMs = Date.parse(episode.deviceStartAt);
  const endMs = Date.parse(episode.deviceEndAt);
  return alert.openedAtMs >= startMs && alert.openedAtMs <= endMs + windowMs;
}

/** Precision and recall of each detector, scored per episode. */
export function scoreDetection(
  episodes: readonly GroundTruthEpisode[],
  alerts: readonly AlertOpening[],
  options: ScoreOptions,
): Record<AnomalyKind, DetectorScore> {
  const openings = distinctOpenings(alerts);
  const scores = {} as Record<AnomalyKind, DetectorScore>;
  for (const kind of options.kinds ?? anomalyKinds) {
    const windowMs = typeof options.windowMs === 'number' ? options.windowMs : (options.windowMs[kind] ?? 0);
    const ofKind = episodes.filter((episode) => episode.kind === kind);
    const scored = ofKind.filter((episode) => options.includeInterrupted || !episode.interrupted);
    const kindAlerts = openings.filter((alert) => alert.kind === kind);
    // An alert matching an interrupted episode is still right, though that episode is not scored.
    const spurious = kindAlerts.filter(
      (alert) => !ofKind.some((episode) => alertMatchesEpisode(alert, episode, windowMs)),
    );
    const missed = scored.filter(
      (episode) => !kindAlerts.some((alert) => alertMatchesEpisode(alert, episode, windowMs)),
    );
    const truePositives = kindAlerts.length - spurious.length;
    scores[kind] = {
      kind,
      episodes: scored.length,
      found: scored.length - missed.length,
      alerts: kindAlerts.length,
      truePositives,
      falsePositives: spurious.length,
      precision: kindAlerts.length === 0 ? 1 : truePositives / kindAlerts.length,
      recall: scored.length === 0 ? 1 : (scored.length - missed.length) / scored.length,
      missed,
      spurious,
    };
  }
  return scores;
}

/** The same opening (charger, kind, episode number) delivered more than once counts once. */
function distinctOpenings(alerts: readonly AlertOpening[]): AlertOpening[] {
  const seen = new Set<string>();
  return alerts.filter((alert) => {
    if (alert.episode === undefined) return true;
    const key = `${alert.chargerId}#${alert.kind}#${alert.siteId ?? ''}#${alert.episode}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The ground-truth file's JSON lines (blank lines ignored). */
export function parseGroundTruth(text: string): GroundTruthEpisode[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => JSON.parse(line) as GroundTruthEpisode);
}

type Json = Record<string, unknown>;

/**
 * The alert openings among published notifications (SNS message bodies: `{ kind: 'alert.opened', chargerId,
 * data: { alertKind, episode, firstSeenAt, siteId? } }`); every other notification is ignored.
 */
export function openingsFromNotifications(messages: readonly string[]): AlertOpening[] {
  const openings: AlertOpening[] = [];
  for (const message of messages) {
    let body: Json;
    try {
      body = JSON.parse(message) as Json;
    } catch {
      continue;
    }
    if (body.kind !== 'alert.opened' || typeof body.chargerId !== 'string') continue;
    const data = (body.data ?? {}) as Json;
    const openedAtMs = Date.parse(String(data.firstSeenAt ?? body.at));
    if (typeof data.alertKind !== 'string' || !Number.isFinite(openedAtMs)) continue;
    const siteId = data.siteId ?? body.siteId;
    openings.push({
      chargerId: body.chargerId,
      kind: data.alertKind,
      openedAtMs,
      ...(typeof siteId === 'string' ? { siteId } : {}),
      ...(typeof data.episode === 'number' ? { episode: data.episode } : {}),
    });
  }
  return openings;
}

/**
 * The latest opening of each Alert item (`pk CHARGER#{id}`, `sk ALERT#{kind}`, firstSeenAt, episodes). An item
 * keeps only its newest episode's start: prefer notifications when an alert can open more than once.
 */
export function openingsFromAlertItems(items: readonly Json[]): AlertOpening[] {
  return items.flatMap((item) => {
    const pk = String(item.pk ?? '');
    const sk = String(item.sk ?? '');
    if (!pk.startsWith('CHARGER#') || !sk.startsWith('ALERT#')) return [];
    const openedAtMs = Date.parse(String(item.firstSeenAt));
    if (!Number.isFinite(openedAtMs)) return [];
    return [
      {
        chargerId: pk.slice('CHARGER#'.length),
        kind: sk.slice('ALERT#'.length),
        openedAtMs,
        ...(typeof item.siteId === 'string' ? { siteId: item.siteId } : {}),
        ...(typeof item.episodes === 'number' ? { episode: item.episodes } : {}),
      },
    ];
  });
}
