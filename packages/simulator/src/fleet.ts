import {
  type ChargerTopicKind,
  type CloudTopicKind,
  chargerTopicPermissions,
  cloudToDeviceTopics,
  type DeviceTopicKind,
  parseChargerTopic,
} from '@evcharge/domain';
import {
  assignChargerToGateway,
  setChargerSite,
  setSiteGridLimit,
  type TableContext,
} from '@evcharge/dynamo';
import { issueOcppCredentials, LOCAL_GATEWAY_ID, registerChargerLocally } from '@evcharge/local-identity';
import {
  ChargerInjection,
  DEFAULT_INJECTION_PARAMS,
  type EligibleChargers,
  GroundTruth,
  type GroundTruthEpisode,
  type InjectionOptions,
  longestEpisodeMs,
  type PlannedEpisode,
  planEpisodes,
  SiteLoadEpisode,
} from './anomalies.js';
import {
  type ChargerTiming,
  DEFAULT_TIMING,
  type DeliveryChaos,
  type PublishedMessage,
  SimulatedCharger,
} from './charger.js';
import { ScaledClock } from './clock.js';
import { DEFAULT_ID_TAG_MIX, type IdTagMix, planIdTags, provisionIdTags } from './id-tags.js';
import { OcppCharger } from './ocpp-charger.js';
import { SeededRandom } from './random.js';
import { emptyStats, type FleetStats, snapshot } from './stats.js';
import { V2Charger } from './v2-charger.js';

export interface FleetOptions {
  mqttUrl: string;
  table: TableContext;
  /** Chargers on the v1 topics (auth/request, plug, meter, heartbeat). */
  chargers: number;
  /** Chargers on the v2 (OCPP 1.6 shaped) topics: boot, status, authorize, transaction start/stop. */
  v2Chargers?: number;
  /** Chargers speaking OCPP 1.6J over WebSocket to the gateway at `ocppUrl` (they need it). */
  ocppChargers?: number;
  /** The OCPP gateway's base URL, `ws://host:port/ocpp` (the local cloud's `endpoints.ocpp`). */
  ocppUrl?: string;
  /** The gateway the OCPP chargers are assigned to (default the local cloud's, LOCAL_GATEWAY_ID). */
  ocppGatewayId?: string;
  /** Simulated seconds per real second; 1 = real intervals (heartbeat 300 s, meter 900 s). */
  timeFactor?: number;
  /** Relative weights of valid, blocked, expired and unknown idTags. */
  idTagMix?: Partial<IdTagMix>;
  /** Probability that a deliberately bad message goes out before a message (0 = none). */
  badInputRate?: number;
  /** Probability that a charger drops offline before a charging cycle. */
  offlineRate?: number;
  /** v2: probability that a connector faults (then recovers) instead of a charging cycle (default 0.05). */
  faultRate?: number;
  /**
   * What the broker lets a charger publish and subscribe to (default: the contract's grants, as the IoT policy
   * and the local broker have them). A charger never publishes outside it, since a refused publish disconnects.
   */
  topicPermissions?: (chargerId: string) => { publish: string[]; subscribe: string[] };
  seed?: number;
  log?: (line: string) => void;
  /**
   * Charger ids are `<prefix>-001…`, the v1 chargers first, then the v2 ones, then the OCPP ones; idTags
   * `<prefix>V001…` (keep the prefix ≤ 8 characters).
   */
  prefix?: string;
  connectorsPerCharger?: number;
  /** Overrides of the simulated-time behaviour (tests use short sessions). */
  timing?: Partial<ChargerTiming>;
  /** Called for every message a charger publishes, bad inputs included (e.g. to record traffic for replay). */
  onPublish?: (message: PublishedMessage) => void;
  /** Injected anomalies with their ground truth (README "Injecting anomalies"). */
  inject?: InjectionOptions;
  /**
   * Sites: consecutive v2/OCPP chargers in groups of this size, `<prefix>-S01…` (site load needs them). Default 4.
   */
  chargersPerSite?: number;
  /** Each site's grid limit, recorded with its members' `siteId` (as `npm run chargers -- set-site…` does). */
  siteGridLimitW?: number;
  /**
   * MQTT chargers send heartbeats and readings through IoT Basic Ingest to this stage's rules
   * (`$aws/rules/<service>_<stage>_<rule>/…`); absent, through the broker. OCPP chargers follow the gateway's setting.
   */
  basicIngestStage?: string;
  /** MQTT chargers only: a share of messages published twice, and of readings overtaken by the next message. */
  duplicateRate?: number;
  reorderRate?: number;
  /** The power range of an ordinary session, W (default 3,700–22,000); injected site load uses its own. */
  powerRangeW?: [number, number];
  /** The device clock, epoch ms (default Date.now; tests inject one). */
  now?: () => number;
}

export interface Fleet {
  chargerIds: string[];
  /** Site → its v2/OCPP member chargers. */
  sites: Record<string, string[]>;
  /** The injected episodes finished so far (also in the ground-truth file, when one was given). */
  episodes(): GroundTruthEpisode[];
  stats(): FleetStats;
  stop(): Promise<void>;
}

/**
 * Registers N chargers the operator way (registerChargerLocally; an OCPP charger also gets its OCPP
 * credentials and is assigned to the gateway) and their idTags (addIdTag/blockIdTag), connects each with its
 * issued credentials (MQTT, or OCPP 1.6J through the gateway), and starts their charging cycles.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const prefix = options.prefix ?? 'SIM';
  if (!/^[A-Za-z0-9]{1,8}$/.test(prefix)) throw new RangeError('prefix must be 1 to 8 letters or digits');
  const v1Count = options.chargers;
  const v2Count = options.v2Chargers ?? 0;
  const ocppCount = options.ocppChargers ?? 0;
  for (const [name, count] of Object.entries({
    chargers: v1Count,
    v2Chargers: v2Count,
    ocppChargers: ocppCount,
  })) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`${name} must be a whole number ≥ 0`);
  }
  const ocppUrl = options.ocppUrl;
  if (ocppCount > 0 && !ocppUrl) throw new RangeError('ocppChargers need the gateway: give ocppUrl');
  const total = v1Count + v2Count + ocppCount;
  const badInputRate = options.badInputRate ?? 0;
  const offlineRate = options.offlineRate ?? 0;
  const faultRate = options.faultRate ?? 0.05;
  const duplicateRate = options.duplicateRate ?? 0;
  const reorderRate = options.reorderRate ?? 0;
  for (const [name, rate] of Object.entries({
    badInputRate,
    offlineRate,
    faultRate,
    duplicateRate,
    reorderRate,
  })) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  }
  const clock = new ScaledClock(options.timeFactor ?? 1, options.now);
  const log = options.log ?? (() => undefined);
  const random = new SeededRandom(options.seed ?? 1);
  const stats = emptyStats({ v1: v1Count, v2: v2Count, ocpp: ocppCount });
  const plan = planIdTags(prefix, total);
  const topicPermissions = options.topicPermissions ?? chargerTopicPermissions;
  const connectorCount = options.connectorsPerCharger ?? 2;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const idTagMix = { ...DEFAULT_ID_TAG_MIX, ...options.idTagMix };

  const chargerIdAt = (index: number) => `${prefix}-${String(index + 1).padStart(3, '0')}`;
  const allIds = Array.from({ length: total }, (_, index) => chargerIdAt(index));
  const withStatus = allIds.filter((_, index) => index >= v1Count);
  const sites = groupSites(prefix, withStatus, options.chargersPerSite ?? 4);
  const injectionParams = { ...DEFAULT_INJECTION_PARAMS, ...options.inject?.params };
  const truth = new GroundTruth(options.inject?.groundTruthPath, (episode) => {
    stats.anomalies.injected[episode.kind] = (stats.anomalies.injected[episode.kind] ?? 0) + 1;
    options.inject?.onEpisode?.(episode);
  });
  const siteEpisodes: SiteLoadEpisode[] = [];
  // A site member joins at its next cycle boundary: wait for the others at most a longest session, idle gap and
  // other episode (a member may be running one).
  const joinTimeoutMs =
    (clock.realMs((timing.sessionS[1] + timing.idleS[1]) * 1000) + longestEpisodeMs(injectionParams)) * 1.5 +
    10_000;
  const planned = planEpisodes(
    options.inject?.requests ?? [],
    { all: allIds, withStatus, sites } satisfies EligibleChargers,
    options.inject?.seed ?? options.seed ?? 1,
    (siteId, members, episodeId) => {
      const episode = new SiteLoadEpisode(
        siteId,
        members,
        episodeId,
        injectionParams,
        truth,
        clock.now,
        joinTimeoutMs,
      );
      siteEpisodes.push(episode);
      return episode;
    },
  );
  stats.anomalies.pending = planned.length;
  const episodesOf = (chargerId: string): PlannedEpisode[] =>
    planned.filter((episode) => episode.chargerId === chargerId);

  const now = new Date(clock.now());
  const startedAtMs = Date.now();
  if (total > 0) await provisionIdTags(options.table, plan, now);
  const chargers: SimulatedCharger[] = [];
  const isOcpp = (index: number) => index >= v1Count + v2Count;
  // Registered side by side (the password hashes run on libuv's thread pool), then built in order.
  const registrations = await Promise.all(
    Array.from({ length: total }, async (_, index) => {
      const chargerId = chargerIdAt(index);
      const credentials = await registerChargerLocally(options.table, { chargerId, connectorCount, now });
      if (!isOcpp(index)) return { chargerId, credentials, ocppPassword: undefined };
      const { password: ocppPassword } = await issueOcppCredentials(options.table, chargerId);
      await assignChargerToGateway(options.table, chargerId, options.ocppGatewayId ?? LOCAL_GATEWAY_ID);
      return { chargerId, credentials, ocppPassword };
    }),
  );
  for (const [index, { chargerId, credentials, ocppPassword }] of registrations.entries()) {
    const chargerRandom = random.fork(index);
    const config = {
      index,
      chargerId,
      password: credentials.password,
      connectorCount,
      mqttUrl: options.mqttUrl,
      clock,
      random: chargerRandom,
      badInputRandom: chargerRandom.fork(1_000_003),
      stats,
      plan,
      idTagMix,
      badInputRate,
      offlineRate,
      faultRate,
      granted: grantedKinds(topicPermissions(chargerId)),
      ...(options.basicIngestStage ? { route: { basicIngestStage: options.basicIngestStage } } : {}),
      timing,
      log,
      onPublish: options.onPublish ?? (() => undefined),
      ...(options.powerRangeW ? { powerRangeW: options.powerRangeW } : {}),
      ...(planned.length > 0
        ? { injection: new ChargerInjection(episodesOf(chargerId), injectionParams, truth, clock.now) }
        : {}),
      ...(duplicateRate > 0 || reorderRate > 0
        ? {
            delivery: {
              duplicateRate,
              reorderRate,
              random: chargerRandom.fork(2_000_003),
            } satisfies DeliveryChaos,
          }
        : {}),
    };
    if (index < v1Count) chargers.push(new SimulatedCharger(config));
    else if (!isOcpp(index)) chargers.push(new V2Charger(config));
    else chargers.push(new OcppCharger({ ...config, ocppUrl: ocppUrl!, ocppPassword: ocppPassword! }));
  }

  if (options.siteGridLimitW !== undefined) await recordSites(options.table, sites, options.siteGridLimitW);
  log(
    `fleet: registered ${chargers.length} chargers (v1 ${v1Count}, v2 ${v2Count}, ocpp ${ocppCount}) and their idTags in ${Date.now() - startedAtMs} ms`,
  );
  if (planned.length > 0)
    log(`fleet: ${planned.length} anomaly episodes planned (${injectionSummary(planned)})`);
  const stopAll = async () => {
    // Members waiting on a site episode are released first, so that their transactions can end.
    for (const episode of siteEpisodes) episode.abort();
    await Promise.all(chargers.map((charger) => charger.stop()));
  };
  try {
    await Promise.all(
      chargers.map((charger) =>
        charger.connect().catch((error: unknown) => {
          throw new Error(`${charger.chargerId}: ${error instanceof Error ? error.message : String(error)}`);
        }),
      ),
    );
  } catch (error) {
    await stopAll();
    const targets = [options.mqttUrl, ...(ocppCount > 0 ? [ocppUrl] : [])].join(' and ');
    throw new Error(`simulator could not connect to ${targets}: ${(error as Error).message}`);
  }
  log(
    `fleet: ${chargers.length} chargers connected to ${options.mqttUrl}${ocppCount > 0 ? ` and ${ocppUrl}` : ''} (time factor ${clock.timeFactor})`,
  );
  for (const charger of chargers) charger.start();

  let stopped: Promise<void> | undefined;
  return {
    chargerIds: chargers.map((charger) => charger.chargerId),
    sites,
    episodes: () => [...truth.episodes],
    stats: () => snapshot(stats),
    stop: () => {
      stopped ??= stopAll().then(() => log('fleet: stopped'));
      return stopped;
    },
  };
}

/** Consecutive chargers in groups of `size`: `<prefix>-S01`, `<prefix>-S02`, … */
function groupSites(prefix: string, chargerIds: string[], size: number): Record<string, string[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chargersPerSite must be a whole number ≥ 1');
  const sites: Record<string, string[]> = {};
  for (let start = 0; start < chargerIds.length; start += size) {
    sites[`${prefix}-S${String(start / size + 1).padStart(2, '0')}`] = chargerIds.slice(start, start + size);
  }
  return sites;
}

function injectionSummary(planned: PlannedEpisode[]): string {
  const byKind = new Map<string, Set<string>>();
  for (const episode of planned) {
    const ids = byKind.get(episode.kind) ?? new Set<string>();
    ids.add(episode.episodeId);
    byKind.set(episode.kind, ids);
  }
  return [...byKind].map(([kind, ids]) => `${kind} ${ids.size}`).join(', ');
}

/** The topic kinds a charger's permissions name, by direction. */
function grantedKinds(permissions: { publish: string[]; subscribe: string[] }): {
  device: Set<DeviceTopicKind>;
  cloud: Set<CloudTopicKind>;
} {
  const kinds = (topics: string[]) =>
    topics.map((topic) => parseChargerTopic(topic)?.kind).filter((kind): kind is ChargerTopicKind => !!kind);
  return {
    device: new Set(
      kinds(permissions.publish).filter((kind): kind is DeviceTopicKind => !(kind in cloudToDeviceTopics)),
    ),
    cloud: new Set(
      kinds(permissions.subscribe).filter((kind): kind is CloudTopicKind => kind in cloudToDeviceTopics),
    ),
  };
}

/** The fleet's sites in the table, through the same writes as the operator CLI's site commands. */
async function recordSites(
  table: TableContext,
  sites: Record<string, string[]>,
  gridLimitW: number,
): Promise<void> {
  const now = new Date();
  for (const [siteId, members] of Object.entries(sites)) {
    for (const chargerId of members) await setChargerSite(table, chargerId, siteId, now);
    await setSiteGridLimit(table, siteId, gridLimitW, now);
  }
}
