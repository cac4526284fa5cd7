import type { TableContext } from '@evcharge/dynamo';
import { registerChargerLocally } from '@evcharge/local-identity';
import { type ChargerTiming, DEFAULT_TIMING, type PublishedMessage, SimulatedCharger } from './charger.js';
import { ScaledClock } from './clock.js';
import { DEFAULT_ID_TAG_MIX, type IdTagMix, planIdTags, provisionIdTags } from './id-tags.js';
import { SeededRandom } from './random.js';
import { emptyStats, type FleetStats, snapshot } from './stats.js';

export interface FleetOptions {
  mqttUrl: string;
  table: TableContext;
  chargers: number;
  /** Simulated seconds per real second; 1 = real intervals (heartbeat 300 s, meter 900 s). */
  timeFactor?: number;
  /** Relative weights of valid, blocked, expired and unknown idTags. */
  idTagMix?: Partial<IdTagMix>;
  /** Probability that a deliberately bad message goes out before a message (0 = none). */
  badInputRate?: number;
  /** Probability that a charger drops offline before a charging cycle. */
  offlineRate?: number;
  seed?: number;
  log?: (line: string) => void;
  /** Charger ids are `<prefix>-001…`; idTags `<prefix>V001…` (keep the prefix ≤ 8 characters). */
  prefix?: string;
  connectorsPerCharger?: number;
  /** Overrides of the simulated-time behaviour (tests use short sessions). */
  timing?: Partial<ChargerTiming>;
  /** Called for every message a charger publishes, bad inputs included (e.g. to record traffic for replay). */
  onPublish?: (message: PublishedMessage) => void;
}

export interface Fleet {
  chargerIds: string[];
  stats(): FleetStats;
  stop(): Promise<void>;
}

/**
 * Registers N chargers the operator way (registerChargerLocally) and their idTags (addIdTag/blockIdTag),
 * connects each over MQTT with its issued credentials, and starts their charging cycles.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const prefix = options.prefix ?? 'SIM';
  if (!/^[A-Za-z0-9]{1,8}$/.test(prefix)) throw new RangeError('prefix must be 1 to 8 letters or digits');
  if (!Number.isInteger(options.chargers) || options.chargers < 0)
    throw new RangeError('chargers must be ≥ 0');
  const badInputRate = options.badInputRate ?? 0;
  const offlineRate = options.offlineRate ?? 0;
  for (const [name, rate] of Object.entries({ badInputRate, offlineRate })) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  }
  const clock = new ScaledClock(options.timeFactor ?? 1);
  const log = options.log ?? (() => undefined);
  const random = new SeededRandom(options.seed ?? 1);
  const stats = emptyStats(options.chargers);
  const plan = planIdTags(prefix, options.chargers);
  const connectorCount = options.connectorsPerCharger ?? 2;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const idTagMix = { ...DEFAULT_ID_TAG_MIX, ...options.idTagMix };

  const now = new Date();
  const startedAtMs = Date.now();
  if (options.chargers > 0) await provisionIdTags(options.table, plan, now);
  const chargers: SimulatedCharger[] = [];
  for (let index = 0; index < options.chargers; index++) {
    const chargerId = `${prefix}-${String(index + 1).padStart(3, '0')}`;
    const credentials = await registerChargerLocally(options.table, { chargerId, connectorCount, now });
    const chargerRandom = random.fork(index);
    chargers.push(
      new SimulatedCharger({
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
        timing,
        log,
        onPublish: options.onPublish ?? (() => undefined),
      }),
    );
  }

  log(`fleet: registered ${chargers.length} chargers and their idTags in ${Date.now() - startedAtMs} ms`);
  const stopAll = () => Promise.all(chargers.map((charger) => charger.stop()));
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
    throw new Error(`simulator could not connect to ${options.mqttUrl}: ${(error as Error).message}`);
  }
  log(`fleet: ${chargers.length} chargers connected to ${options.mqttUrl} (time factor ${clock.timeFactor})`);
  for (const charger of chargers) charger.start();

  let stopped: Promise<void> | undefined;
  return {
    chargerIds: chargers.map((charger) => charger.chargerId),
    stats: () => snapshot(stats),
    stop: () => {
      stopped ??= stopAll().then(() => log('fleet: stopped'));
      return stopped;
    },
  };
}
