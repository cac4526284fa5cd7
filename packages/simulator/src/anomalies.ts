import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SeededRandom } from './random.js';

// Injected faults with their ground truth: which charger (or site) misbehaved, how, and from when to when, so a
// detector's alerts can be scored (src/scoring.ts). Every episode is made of ordinary contract messages or real
// MQTT/WebSocket disconnects: nothing on a topic a real charger would not use.

/** The alert kinds the telemetry detectors report, as the Alert items name them. */
export const anomalyKinds = ['stalled-charging', 'meter-anomaly', 'flapping', 'site-load'] as const;
export type AnomalyKind = (typeof anomalyKinds)[number];

/** Short names for the CLI (`--inject stalled:3`); the full kind names are accepted too. */
const kindAliases: Record<string, AnomalyKind> = {
  stalled: 'stalled-charging',
  'stalled-charging': 'stalled-charging',
  meter: 'meter-anomaly',
  'meter-anomaly': 'meter-anomaly',
  flapping: 'flapping',
  'site-load': 'site-load',
  site: 'site-load',
};

/** N episodes on chargers (sites) the seed picks, or one episode on each named charger (site). */
export type InjectionRequest =
  | { kind: AnomalyKind; count: number }
  | { kind: AnomalyKind; targets: string[] };

export interface InjectionParams {
  /** Stalled: device seconds at 0 W with a flat register: a 900-s window plus the detector's 600 s, so 600 s fall in one window. */
  stalledS: number;
  /** Meter anomaly: Wh of a backwards step, and the margin of a too-fast rise beyond what the connector allows. */
  meterGlitchWh: number;
  /** Meter anomaly: the connector's maximum power a too-fast rise must beat (the detector's connectorMaxPowerW). */
  connectorMaxPowerW: number;
  /** Flapping: unclean disconnects in one episode (> the detector's 6 per hour). */
  flappingDisconnects: number;
  /** Flapping: device seconds between a reconnect and the next drop. */
  flappingGapS: number;
  /** Flapping: device seconds before a charger may flap again (its alert counts disconnects over an hour). */
  flappingCooldownS: number;
  /** Site load: device seconds every member charger of the site charges at full power together. */
  siteLoadS: number;
  /** Site load: the power each member draws (W). */
  siteLoadPowerW: number;
}

/** The longest an episode of one charger keeps it from its next cycle boundary, device ms. */
export function longestEpisodeMs(params: InjectionParams): number {
  return 1000 * Math.max(params.stalledS, params.flappingDisconnects * params.flappingGapS, params.siteLoadS);
}

export const DEFAULT_INJECTION_PARAMS: InjectionParams = {
  stalledS: 1_500,
  meterGlitchWh: 1_000,
  connectorMaxPowerW: 22_000,
  flappingDisconnects: 8,
  flappingGapS: 30,
  flappingCooldownS: 3_900,
  siteLoadS: 900,
  siteLoadPowerW: 22_000,
};

export interface InjectionOptions {
  requests: InjectionRequest[];
  /** Which chargers (sites) get the counted episodes; default the fleet's seed. */
  seed?: number;
  params?: Partial<InjectionParams>;
  /** The ground truth as JSON lines, one per finished episode (appended, directories made). */
  groundTruthPath?: string;
  /** Each finished episode, as written to the ground truth. */
  onEpisode?: (episode: GroundTruthEpisode) => void;
}

/** One injected episode, finished: what the detectors should have found. */
export interface GroundTruthEpisode {
  episodeId: string;
  kind: AnomalyKind;
  /** The charger that misbehaved (site load: the first member). */
  chargerId: string;
  /** Site load: every member charger, and their site. */
  chargerIds?: string[];
  siteId?: string;
  connectorId?: number;
  /** Device time (the charger's clock, ISO-8601): when the fault began and ended. */
  deviceStartAt: string;
  deviceEndAt: string;
  /** Real time (the simulator host's clock, ISO-8601); equal to device time under the fleet's time model. */
  realStartAt: string;
  realEndAt: string;
  /** True when the fleet stopped mid-episode (the end is the stop). */
  interrupted?: boolean;
  detail: Record<string, number | string>;
}

/**
 * `stalled:3,meter:2,flapping:2,site-load:1` (counts) or `stalled=SIM-003+SIM-007` (named chargers; a site's
 * id for site-load); parts combine. An empty text is no injection.
 */
export function parseInjectionSpec(text: string): InjectionRequest[] {
  const requests: InjectionRequest[] = [];
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const match = /^([a-z-]+)\s*([:=])\s*(.+)$/.exec(part);
    const kind = match ? kindAliases[match[1] ?? ''] : undefined;
    if (!match || !kind)
      throw new RangeError(
        `--inject: '${part}' is not kind:N or kind=ID+ID (kinds: stalled, meter, flapping, site-load)`,
      );
    const value = match[3] ?? '';
    if (match[2] === ':') {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`--inject: '${part}': the count must be a whole number ≥ 0`);
      requests.push({ kind, count });
    } else {
      const targets = value
        .split('+')
        .map((id) => id.trim())
        .filter(Boolean);
      if (targets.some((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id)))
        throw new RangeError(`--inject: '${part}': ids are letters, digits, _ and -`);
      requests.push({ kind, targets });
    }
  }
  return requests;
}

/** One episode a charger will run at a cycle boundary, once its time has come. */
export interface PlannedEpisode {
  episodeId: string;
  kind: AnomalyKind;
  chargerId: string;
  /** Site load: the shared episode every member joins. */
  site?: SiteLoadEpisode;
}

export interface EligibleChargers {
  /** Every charger (flapping, meter anomalies). */
  all: string[];
  /** Chargers that report connector status (v2 and OCPP): a stall is Charging at 0 W. */
  withStatus: string[];
  /** Sites and their member chargers that report status (site load: they charge together). */
  sites: Record<string, string[]>;
}

/**
 * Which charger runs which episode: counted requests go round-robin over a seeded shuffle of the eligible
 * chargers (sites), so N ≤ eligible puts each episode on a different charger; named targets as given.
 */
export function planEpisodes(
  requests: InjectionRequest[],
  eligible: EligibleChargers,
  seed: number,
  newSite: (siteId: string, members: string[], episodeId: string) => SiteLoadEpisode,
): PlannedEpisode[] {
  const random = new SeededRandom(seed);
  const planned: PlannedEpisode[] = [];
  let next = 1;
  const episodeId = (kind: AnomalyKind) => `${kind}-${String(next++).padStart(3, '0')}`;
  for (const request of requests) {
    const { kind } = request;
    const pool =
      kind === 'site-load'
        ? Object.keys(eligible.sites).filter((site) => (eligible.sites[site]?.length ?? 0) > 0)
        : kind === 'stalled-charging'
          ? eligible.withStatus
          : eligible.all;
    let targets: string[];
    if ('targets' in request) {
      const unknown = request.targets.filter((target) => !pool.includes(target));
      if (unknown.length > 0)
        throw new RangeError(
          `inject ${kind}: ${unknown.join(', ')} cannot take it (not in the fleet, or no status)`,
        );
      targets = request.targets;
    } else {
      if (request.count > 0 && pool.length === 0)
        throw new RangeError(`inject ${kind}: no charger (site) in the fleet can take it`);
      const shuffled = shuffle(pool, random);
      targets = Array.from(
        { length: request.count },
        (_, index) => shuffled[index % shuffled.length] as string,
      );
    }
    for (const target of targets) {
      const id = episodeId(kind);
      if (kind === 'site-load') {
        const members = eligible.sites[target] ?? [];
        const site = newSite(target, members, id);
        for (const member of members) planned.push({ episodeId: id, kind, chargerId: member, site });
      } else planned.push({ episodeId: id, kind, chargerId: target });
    }
  }
  return planned;
}

function shuffle<Item>(items: readonly Item[], random: SeededRandom): Item[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = random.int(0, index);
    [copy[index], copy[other]] = [copy[other] as Item, copy[index] as Item];
  }
  return copy;
}

/** Writes each finished episode as one JSON line, at once (a crash keeps what happened). */
export class GroundTruth {
  readonly episodes: GroundTruthEpisode[] = [];

  constructor(
    private readonly path: string | undefined,
    private readonly onEpisode: (episode: GroundTruthEpisode) => void = () => undefined,
  ) {
    if (path) mkdirSync(dirname(path), { recursive: true });
  }

  record(episode: GroundTruthEpisode): void {
    this.episodes.push(episode);
    if (this.path) appendFileSync(this.path, `${JSON.stringify(episode)}\n`);
    this.onEpisode(episode);
  }
}

/** What a charger needs to run its episodes: its queue, the parameters, and where to record them. */
export class ChargerInjection {
  private readonly queue: PlannedEpisode[];
  private flappingAllowedAtMs = 0;

  constructor(
    planned: PlannedEpisode[],
    readonly params: InjectionParams,
    private readonly truth: GroundTruth,
    private readonly now: () => number,
  ) {
    // Site load first: its members join at their first cycle boundary, so they wait on each other least.
    this.queue = [...planned].sort((a, b) => Number(b.kind === 'site-load') - Number(a.kind === 'site-load'));
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The next episode this charger can run now (flapping waits out its cooldown; others go first meanwhile). */
  take(): PlannedEpisode | undefined {
    const index = this.queue.findIndex(
      (episode) => episode.kind !== 'flapping' || this.now() >= this.flappingAllowedAtMs,
    );
    if (index < 0) return undefined;
    const [episode] = this.queue.splice(index, 1);
    if (episode?.kind === 'flapping') this.flappingAllowedAtMs = Number.POSITIVE_INFINITY;
    return episode;
  }

  /** Records a finished episode of this charger. */
  finish(
    episode: PlannedEpisode,
    times: { startMs: number; endMs: number; interrupted?: boolean },
    extra: { connectorId?: number; detail?: Record<string, number | string> } = {},
  ): void {
    if (episode.kind === 'flapping')
      this.flappingAllowedAtMs = times.endMs + this.params.flappingCooldownS * 1000;
    this.truth.record(groundTruthOf(episode, times, extra));
  }
}

export function groundTruthOf(
  episode: Pick<PlannedEpisode, 'episodeId' | 'kind' | 'chargerId'>,
  times: { startMs: number; endMs: number; interrupted?: boolean },
  extra: {
    connectorId?: number;
    chargerIds?: string[];
    siteId?: string;
    detail?: Record<string, number | string>;
  } = {},
): GroundTruthEpisode {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    episodeId: episode.episodeId,
    kind: episode.kind,
    chargerId: episode.chargerId,
    ...(extra.chargerIds ? { chargerIds: extra.chargerIds } : {}),
    ...(extra.siteId ? { siteId: extra.siteId } : {}),
    ...(extra.connectorId !== undefined ? { connectorId: extra.connectorId } : {}),
    // Device time is the real clock (README "Time"): the two pairs are the same instants.
    deviceStartAt: iso(times.startMs),
    deviceEndAt: iso(times.endMs),
    realStartAt: iso(times.startMs),
    realEndAt: iso(times.endMs),
    ...(times.interrupted ? { interrupted: true } : {}),
    detail: extra.detail ?? {},
  };
}

/**
 * A site-load episode: each member charger joins at its next cycle boundary and charges at full power; once every
 * expected member has joined they draw together for `siteLoadS`, then every member is released. A member that
 * cannot take part leaves; one that never comes is waited for at most `joinTimeoutMs`. The episode runs from the
 * first member's full-power draw (the site's load is abnormal from then on) to the release.
 */
export class SiteLoadEpisode {
  private readonly expected: Set<string>;
  private readonly joined = new Set<string>();
  private firstJoinedAtMs: number | undefined;
  private startedAtMs: number | undefined;
  private release: () => void = () => undefined;
  private readonly released: Promise<void>;
  private joinTimer: NodeJS.Timeout | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    readonly siteId: string,
    readonly members: string[],
    readonly episodeId: string,
    private readonly params: InjectionParams,
    private readonly truth: GroundTruth,
    private readonly now: () => number,
    private readonly joinTimeoutMs: number,
  ) {
    this.expected = new Set(members);
    this.released = new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  /**
   * A member is charging at full power, since `drawingSinceMs` (device time of its first full-power reading);
   * resolves when the episode is over and it may stop.
   */
  join(chargerId: string, drawingSinceMs = this.now()): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.joined.add(chargerId);
    this.firstJoinedAtMs = Math.min(this.firstJoinedAtMs ?? drawingSinceMs, drawingSinceMs);
    if (this.joinTimer === undefined && this.startedAtMs === undefined) {
      this.joinTimer = setTimeout(() => this.begin(), this.joinTimeoutMs);
      this.joinTimer.unref?.();
    }
    this.beginWhenAllJoined();
    return this.released;
  }

  /** A member cannot take part (its transaction did not start, or it is stopping). */
  leave(chargerId: string): void {
    if (this.finished || this.startedAtMs !== undefined) return;
    this.expected.delete(chargerId);
    this.joined.delete(chargerId);
    if (this.expected.size === 0) this.abort();
    else this.beginWhenAllJoined();
  }

  /** The fleet is stopping: release everyone, and record the episode as interrupted if it had begun. */
  abort(): void {
    if (this.finished) return;
    if (this.startedAtMs !== undefined) {
      this.end(true);
      return;
    }
    this.finished = true;
    clearTimeout(this.joinTimer);
    this.release();
  }

  private beginWhenAllJoined(): void {
    if (this.joined.size > 0 && [...this.expected].every((member) => this.joined.has(member))) this.begin();
  }

  private begin(): void {
    if (this.startedAtMs !== undefined || this.finished || this.joined.size === 0) return;
    clearTimeout(this.joinTimer);
    this.startedAtMs = this.now();
    this.endTimer = setTimeout(() => this.end(false), this.params.siteLoadS * 1000);
    this.endTimer.unref?.();
  }

  private end(interrupted: boolean): void {
    if (this.finished || this.startedAtMs === undefined) return;
    this.finished = true;
    clearTimeout(this.endTimer);
    const chargerIds = [...this.joined].sort();
    // Not every member drew: not the episode asked for (the site may have stayed under its limit).
    const partial = chargerIds.length < this.members.length;
    this.truth.record(
      groundTruthOf(
        { episodeId: this.episodeId, kind: 'site-load', chargerId: chargerIds[0] ?? '' },
        {
          startMs: this.firstJoinedAtMs ?? this.startedAtMs,
          endMs: this.now(),
          ...(interrupted || partial ? { interrupted: true } : {}),
        },
        {
          chargerIds,
          siteId: this.siteId,
          detail: {
            members: chargerIds.length,
            powerW: this.params.siteLoadPowerW * chargerIds.length,
            allDrawingAt: new Date(this.startedAtMs).toISOString(),
          },
        },
      ),
    );
    this.release();
  }
}
