import {
  type AuthResponsePayload,
  authResponsePayloadSchema,
  type CloudTopicKind,
  chargerTopic,
  cloudToDeviceTopics,
  type DeviceTopicKind,
  deviceTopic,
  type IngestRoute,
  type MeterContext,
  meterRequestPayloadSchema,
  parseChargerTopic,
  toWattHours,
} from '@evcharge/domain';
import { connectAsync, type MqttClient } from 'mqtt';
import type { ChargerInjection, PlannedEpisode } from './anomalies.js';
import type { ScaledClock } from './clock.js';
import { chooseIdTag, type IdTagMix, type IdTagPlan } from './id-tags.js';
import {
  authRequest,
  badInput,
  badInputKinds,
  type DeviceMessage,
  heartbeat,
  meterReading,
  plug,
  type ReadingInput,
  type RegisterUnit,
  registerValue,
} from './payloads.js';
import type { SeededRandom } from './random.js';
import { type FleetStats, recordError } from './stats.js';

/** Simulated-time behaviour in seconds (divided by the time factor); authTimeoutMs is real time. */
export interface ChargerTiming {
  heartbeatS: number;
  meterS: number;
  sessionS: [number, number];
  idleS: [number, number];
  /** Long enough by default to pass the backend's liveness window (2 × 300 + 60 s). */
  offlineS: [number, number];
  /** Real milliseconds to wait for an auth response: network latency does not scale. */
  authTimeoutMs: number;
}

export const DEFAULT_TIMING: ChargerTiming = {
  heartbeatS: 300,
  meterS: 900,
  sessionS: [15 * 60, 45 * 60],
  idleS: [2 * 60, 10 * 60],
  offlineS: [12 * 60, 20 * 60],
  authTimeoutMs: 30_000,
};

export const SIMULATOR_FIRMWARE = 'evcharge-sim/1.0';

/** Real time to wait for a PUBACK (or a clean disconnect) before reporting an error and moving on. */
export const PUBLISH_TIMEOUT_MS = 5_000;

function withTimeout<Value>(promise: Promise<Value>, timeoutMs: number): Promise<Value> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ChargerConfig {
  index: number;
  chargerId: string;
  password: string;
  connectorCount: number;
  mqttUrl: string;
  clock: ScaledClock;
  /** Decisions (tags, durations, offline): deterministic for a seed. */
  random: SeededRandom;
  /** Bad-input draws on their own stream, so they never shift the decisions above. */
  badInputRandom: SeededRandom;
  stats: FleetStats;
  plan: IdTagPlan;
  idTagMix: IdTagMix;
  badInputRate: number;
  offlineRate: number;
  /** v2: the chance that a connector faults (and later recovers) instead of a charging cycle. */
  faultRate: number;
  /** The topics the contract grants a charger (IoT policy and broker alike): it never publishes outside them. */
  granted: { device: ReadonlySet<DeviceTopicKind>; cloud: ReadonlySet<CloudTopicKind> };
  timing: ChargerTiming;
  log: (line: string) => void;
  onPublish: (message: PublishedMessage) => void;
  /** The power of a session, W: drawn uniformly in this range (default 3.7–22 kW). */
  powerRangeW?: readonly [number, number];
  /** Episodes this charger injects (src/anomalies.ts), when any. */
  injection?: ChargerInjection;
  /** MQTT chargers: a QoS 1 redelivery (the same message twice) and a reading overtaken by the next message. */
  delivery?: DeliveryChaos;
  /** Heartbeats and readings through IoT Basic Ingest when it names a stage (contract: basic-ingest.ts). */
  route?: IngestRoute;
}

export interface DeliveryChaos {
  duplicateRate: number;
  reorderRate: number;
  /** Its own stream, so the chaos never shifts the fleet's decisions. */
  random: SeededRandom;
}

/** A session's shape when an injected episode needs one (its power, its length, what happens in it). */
export interface SessionOverride {
  powerW?: number;
  durationS?: number;
  episode?: PlannedEpisode;
}

/** A session's power range, W: a 16 A single-phase car to a 32 A three-phase one. */
export const DEFAULT_POWER_RANGE_W: readonly [number, number] = [3_700, 22_000];

/** Real ms a reading may be held back for the next message to overtake it. */
const REORDER_HOLD_MS = 2_000;

export interface PublishedMessage {
  chargerId: string;
  topic: string;
  payload: string;
  /** Real time of the publish, epoch ms. */
  publishedAtMs: number;
  badInput: boolean;
}

export type ChargerProtocol = 'v1' | 'v2' | 'ocpp';

export interface ActiveSession {
  connectorId: number;
  /** The cloud's session, when it opened one (a refused v2 start has none). */
  sessionId: string | undefined;
  powerW: number;
  lastReportedWh: number;
}

/**
 * One charger: an MQTT client (client id = username = chargerId, QoS 1) that runs
 * plug in → authorize → charge (readings, Trigger answers, heartbeats) → unplug, and sometimes drops offline.
 */
export class SimulatedCharger {
  protected client: MqttClient | undefined;
  protected readonly registersWh: number[];
  protected readonly unit: RegisterUnit;
  protected registerUpdatedAtMs: number;
  /** A meter-anomaly episode in progress: the next periodic reading is wrong, the one after it right again. */
  private meterGlitch:
    | {
        episode: PlannedEpisode;
        samplesBefore: number;
        startMs?: number;
        connectorId?: number;
        detail?: Record<string, number | string>;
      }
    | undefined;
  /** Device time of the latest reading sent, and of each connector's (a too-fast glitch beats it since then). */
  protected lastReadingAtMs = 0;
  private readonly lastReadingAtByConnector = new Map<number, number>();
  /** A reading held back so that the next message overtakes it (delivery chaos). */
  private heldBack: { message: DeviceMessage; timer: NodeJS.Timeout } | undefined;
  protected session: ActiveSession | undefined;
  protected silent = false;
  private isConnected = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Requests waiting for their answer, by requestId. */
  private readonly pendingAnswers = new Map<string, (answer: unknown) => void>();
  protected readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** The protocol a log line or a stat names. */
  readonly protocol: ChargerProtocol = 'v1';

  constructor(protected readonly config: ChargerConfig) {
    this.unit = config.random.chance(0.3) ? 'kWh' : 'Wh';
    this.registersWh = Array.from({ length: config.connectorCount }, () => config.random.int(0, 5_000_000));
    this.registerUpdatedAtMs = config.clock.now();
  }

  get chargerId(): string {
    return this.config.chargerId;
  }

  async connect(): Promise<void> {
    const { chargerId, password, mqttUrl } = this.config;
    const client = await connectAsync(
      mqttUrl,
      {
        clientId: chargerId,
        username: chargerId,
        password,
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      },
      false,
    ); // Fail instead of retrying forever when the first connection is refused.
    this.client = client;
    this.markConnected(true);
    client.on('connect', () => this.markConnected(true));
    client.on('close', () => {
      if (this.client === client) this.markConnected(false);
    });
    client.on('error', (error) => this.error(`mqtt: ${error.message}`));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    const granted = await client.subscribeAsync(
      this.subscriptions().map((kind) => chargerTopic(kind, chargerId)),
      { qos: 1 },
    );
    for (const grant of granted) {
      if (grant.qos !== 1) this.error(`subscription to ${grant.topic} refused (granted ${grant.qos})`);
    }
    this.onConnected();
  }

  /** The cloud → device topics this charger listens to. */
  protected subscriptions(): CloudTopicKind[] {
    return ['authResponse', 'meterRequest'];
  }

  /** A v1 charger heartbeats from the moment it is connected. */
  protected onConnected(): void {
    this.startHeartbeats();
  }

  start(): void {
    this.running = this.run().catch((error: unknown) => this.error(`stopped by ${String(error)}`));
  }

  /** Ends a running session properly (Transaction.End, unplug), then disconnects. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.releaseHeldBack();
    await this.disconnect();
  }

  protected async run(): Promise<void> {
    const { random, timing, offlineRate } = this.config;
    const signal = this.abort.signal;
    if (!(await this.sleepS(random.between(0, timing.idleS[1])))) return;
    while (!signal.aborted) {
      const episode = this.config.injection?.take();
      if (episode) await this.runEpisode(episode);
      else if (random.chance(offlineRate)) await this.goOffline();
      if (signal.aborted) return;
      if (!episode) await this.cycle();
      if (!(await this.sleepS(random.between(...timing.idleS)))) return;
    }
  }

  protected async cycle(override: SessionOverride = {}): Promise<void> {
    const { random, plan, index, idTagMix, timing, chargerId, log } = this.config;
    const connectorId = random.int(1, this.config.connectorCount);
    const drawn = chooseIdTag(plan, index, idTagMix, random);
    // An injected episode needs its session to run: it charges with the charger's own valid tag.
    const { idTag, kind } = override.episode
      ? { idTag: plan.validByCharger[index] ?? drawn.idTag, kind: 'valid' }
      : drawn;
    const plugFirst = random.chance(0.7);
    const durationS = override.durationS ?? random.between(...timing.sessionS);
    const powerW = override.powerW ?? this.drawPowerW();

    if (plugFirst) await this.send(plug({ connectorId, event: 'plugged', at: this.deviceNow() }));
    const response = await this.authorize(connectorId, idTag);
    const stoppedWhileWaiting = !response && this.abort.signal.aborted;
    const status = response?.status ?? 'NoResponse';
    if (!stoppedWhileWaiting) this.config.stats.authDecisions[status]++;
    log(
      `${chargerId} connector ${connectorId}: idTag ${idTag} (${kind}) → ${stoppedWhileWaiting ? 'stopped' : status}`,
    );

    if (response?.status !== 'Accepted' || !response.sessionId) {
      if (plugFirst) {
        await this.sleepS(10, { evenIfStopping: true });
        await this.send(plug({ connectorId, event: 'unplugged', at: this.deviceNow() }));
      }
      return;
    }

    if (!plugFirst) {
      await this.sleepS(random.between(5, 60), { evenIfStopping: true });
      await this.send(plug({ connectorId, event: 'plugged', at: this.deviceNow() }));
    }
    this.advanceRegisters();
    this.session = {
      connectorId,
      sessionId: response.sessionId,
      powerW,
      lastReportedWh: this.reportedWh(connectorId),
    };
    this.config.stats.sessionsStarted++;
    this.config.stats.sessionsActive++;
    await this.sendReading('Transaction.Begin');

    let remainingS = durationS;
    while (remainingS > 0) {
      const stepS = Math.min(remainingS, timing.meterS);
      if (!(await this.sleepS(stepS))) break;
      remainingS -= stepS;
      if (remainingS > 0) await this.sendReading('Sample.Periodic');
    }
    await this.endSession();
  }

  protected async endSession(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.sendReading('Transaction.End');
    await this.send(plug({ connectorId: session.connectorId, event: 'unplugged', at: this.deviceNow() }));
    this.session = undefined;
    this.config.stats.sessionsActive--;
    this.config.stats.sessionsCompleted++;
    this.config.log(
      `${this.config.chargerId} connector ${session.connectorId}: unplugged, session ${session.sessionId} done`,
    );
  }

  private async authorize(connectorId: number, idTag: string): Promise<AuthResponsePayload | undefined> {
    const request = authRequest({ connectorId, idTag, at: this.deviceNow() });
    return this.request<AuthResponsePayload>(request.requestId, request.message);
  }

  /**
   * Sends a request and waits for the answer with its requestId: undefined after the timeout (real time) of
   * the last attempt, or at once when the fleet is stopping (the request still goes out). Each further attempt
   * resends the very same message, so the contract's idempotency rule makes a late answer and a repeat one
   * the same answer.
   */
  protected async request<Answer>(
    requestId: string,
    message: DeviceMessage,
    options: { attempts?: number } = {},
  ): Promise<Answer | undefined> {
    const signal = this.abort.signal;
    for (let attempt = 1; attempt <= (options.attempts ?? 1); attempt++) {
      if (signal.aborted) {
        if (attempt === 1) await this.send(message);
        return undefined;
      }
      const answered = new Promise<Answer | undefined>((resolve) => {
        const settle = (answer: unknown) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.pendingAnswers.delete(requestId);
          resolve(answer as Answer | undefined);
        };
        const onAbort = () => settle(undefined);
        const timer = setTimeout(() => settle(undefined), this.config.timing.authTimeoutMs);
        signal.addEventListener('abort', onAbort, { once: true });
        this.pendingAnswers.set(requestId, settle);
      });
      await this.send(message);
      const answer = await answered;
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** Settles the request this answer is for; QoS 1 may deliver twice, only the first answer counts. */
  protected settleAnswer(requestId: string, answer: unknown): void {
    this.pendingAnswers.get(requestId)?.(answer);
  }

  /** Runs one injected episode in place of a cycle. */
  protected async runEpisode(episode: PlannedEpisode): Promise<void> {
    const { chargerId, log, stats } = this.config;
    log(`${chargerId}: injecting ${episode.kind} (${episode.episodeId})`);
    if (episode.kind === 'flapping') await this.flap(episode);
    else if (episode.kind === 'meter-anomaly') {
      this.meterGlitch = { episode, samplesBefore: 1 };
      // Begin, a true periodic reading, the wrong one, the right one again, the end.
      await this.chargeOnce({ episode, durationS: this.meterIntervalS() * 4 + 1 });
      const glitch = this.meterGlitch;
      this.meterGlitch = undefined;
      if (glitch?.startMs !== undefined)
        this.config.injection?.finish(
          episode,
          { startMs: glitch.startMs, endMs: this.config.clock.now(), interrupted: true },
          { ...(glitch.connectorId !== undefined ? { connectorId: glitch.connectorId } : {}) },
        );
      else if (glitch) this.skipEpisode(episode, 'its session did not run');
    } else this.skipEpisode(episode, `a ${this.protocol} charger cannot show it`);
    stats.anomalies.pending = Math.max(0, stats.anomalies.pending - 1);
  }

  protected skipEpisode(episode: PlannedEpisode, why: string): void {
    this.config.stats.anomalies.skipped++;
    this.config.log(`${this.config.chargerId}: ${episode.kind} (${episode.episodeId}) not injected: ${why}`);
  }

  /** One charging session (v1: plug, auth, readings, unplug); v2 and OCPP override it with a transaction. */
  protected async chargeOnce(override: SessionOverride): Promise<void> {
    await this.cycle(override);
  }

  /** A session's power, drawn from the decision stream. */
  protected drawPowerW(): number {
    const [min, max] = this.config.powerRangeW ?? DEFAULT_POWER_RANGE_W;
    return Math.round(this.config.random.between(min, max));
  }

  protected meterIntervalS(): number {
    return this.config.timing.meterS;
  }

  /**
   * Flapping: the connection drops uncleanly (no DISCONNECT, so the broker emits a disconnected lifecycle event
   * as IoT Core does for a lost connection) and comes back, `flappingDisconnects` times, `flappingGapS` apart.
   */
  private async flap(episode: PlannedEpisode): Promise<void> {
    const { injection, clock } = this.config;
    if (!injection) return;
    const { flappingDisconnects, flappingGapS } = injection.params;
    const halfGapMs = (flappingGapS * 1000) / 2;
    const startMs = clock.now();
    let drops = 0;
    let endMs = startMs;
    while (drops < flappingDisconnects && !this.abort.signal.aborted) {
      await this.dropUncleanly();
      drops++;
      endMs = clock.now();
      const stayedDown = await clock.sleepReal(halfGapMs, this.abort.signal);
      if (!stayedDown) break;
      await this.connect().catch((error: unknown) =>
        this.error(`reconnect while flapping: ${String(error)}`),
      );
      endMs = clock.now();
      if (drops < flappingDisconnects && !(await clock.sleepReal(halfGapMs, this.abort.signal))) break;
    }
    injection.finish(
      episode,
      { startMs, endMs, ...(drops < flappingDisconnects ? { interrupted: true } : {}) },
      { detail: { disconnects: drops, gapS: flappingGapS } },
    );
  }

  /** The link dies without a DISCONNECT packet (a lost connection, not a goodbye). */
  protected async dropUncleanly(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.markConnected(false);
    await client.endAsync(true);
  }

  protected async goOffline(): Promise<void> {
    const { random, timing, stats, chargerId, log } = this.config;
    const mode = random.chance(0.5) ? 'disconnect' : 'silent';
    const durationS = random.between(...timing.offlineS);
    stats.offline++;
    stats.offlineEpisodes++;
    log(`${chargerId}: going offline (${mode}) for ${Math.round(durationS)} s simulated`);
    try {
      if (mode === 'silent') {
        this.silent = true;
        await this.sleepS(durationS);
        this.silent = false;
        return;
      }
      await this.disconnect();
      await this.sleepS(durationS);
      if (!this.abort.signal.aborted) await this.connect();
    } finally {
      stats.offline--;
      log(`${chargerId}: back online`);
    }
  }

  protected async disconnect(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.markConnected(false);
    // A graceful end waits for in-flight QoS 1 acks; with the connection gone, nothing will ack them.
    if (!client.connected) {
      await client.endAsync(true);
      return;
    }
    const ended = await withTimeout(client.endAsync(), PUBLISH_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (!ended) await client.endAsync(true);
  }

  /** mqtt.js emits close once per failed reconnect attempt too: count transitions, not events. */
  protected markConnected(up: boolean): void {
    if (up === this.isConnected) return;
    this.isConnected = up;
    this.config.stats.connected += up ? 1 : -1;
  }

  protected startHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    const send = () => {
      if (!this.silent) void this.send(heartbeat({ at: this.deviceNow(), firmware: SIMULATOR_FIRMWARE }));
    };
    send();
    this.heartbeatTimer = setInterval(send, this.config.clock.realMs(this.heartbeatIntervalS() * 1000));
  }

  protected heartbeatIntervalS(): number {
    return this.config.timing.heartbeatS;
  }

  protected onMessage(topic: string, payload: Buffer): void {
    const parsed = parseChargerTopic(topic);
    if (!parsed || parsed.chargerId !== this.config.chargerId) {
      this.error(`message on unexpected topic ${topic}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.error(`non-JSON message on ${topic}`);
      return;
    }
    if (!(parsed.kind in cloudToDeviceTopics)) {
      this.error(`message on device topic ${topic}`);
      return;
    }
    const kind = parsed.kind as CloudTopicKind;
    this.config.stats.messagesReceived[kind]++;
    this.onCloudMessage(kind, body);
  }

  /** One message on a topic this charger subscribed to. */
  protected onCloudMessage(kind: CloudTopicKind, body: unknown): void {
    if (kind === 'authResponse') this.onAuthResponse(body);
    else if (kind === 'meterRequest') this.onMeterRequest(body);
    else this.error(`message on unexpected topic kind ${kind}`);
  }

  private onAuthResponse(body: unknown): void {
    const response = authResponsePayloadSchema.safeParse(body);
    if (!response.success) {
      this.error(`invalid auth response: ${response.error.issues[0]?.message}`);
      return;
    }
    this.settleAnswer(response.data.requestId, response.data);
  }

  protected onMeterRequest(body: unknown): void {
    const request = meterRequestPayloadSchema.safeParse(body);
    if (!request.success) {
      this.error(`invalid meter request: ${request.error.issues[0]?.message}`);
      return;
    }
    // A silent charger leaves the request to time out, which is what meter.unavailable is for.
    if (this.silent) return;
    const { connectorId, requestId } = request.data;
    if (connectorId > this.config.connectorCount) {
      this.error(`meter request for unknown connector ${connectorId}`);
      return;
    }
    void this.sendReading('Trigger', { connectorId, requestId }).then(() => {
      this.config.stats.meterRequestsAnswered++;
    });
  }

  protected async sendReading(
    context: MeterContext,
    trigger?: { connectorId: number; requestId?: string },
  ): Promise<void> {
    const connectorId = trigger?.connectorId ?? this.session?.connectorId;
    if (connectorId === undefined) return;
    this.advanceRegisters();
    const session = this.session?.connectorId === connectorId ? this.session : undefined;
    // Delivered energy counts what the readings actually said, so it matches the backend's register deltas.
    const sentWh = this.reportedWh(connectorId);
    if (session && context === 'Transaction.Begin') session.lastReportedWh = sentWh;
    if (session && sentWh > session.lastReportedWh) {
      this.config.stats.energyDeliveredWh += sentWh - session.lastReportedWh;
      session.lastReportedWh = sentWh;
    }
    const at = this.deviceNow();
    const registerWh = this.glitched(
      connectorId,
      context,
      at.getTime(),
      this.registersWh[connectorId - 1] ?? 0,
    );
    this.lastReadingAtMs = at.getTime();
    this.lastReadingAtByConnector.set(connectorId, at.getTime());
    await this.send(
      this.readingMessage({
        connectorId,
        ...(session?.sessionId ? { sessionId: session.sessionId } : {}),
        at,
        registerWh,
        unit: this.unit,
        powerW: session ? session.powerW : 0,
        context,
        ...(trigger?.requestId ? { requestId: trigger.requestId } : {}),
      }),
    );
  }

  /**
   * The register a reading shows: the true one, except during a meter-anomaly episode, whose first eligible
   * periodic reading of the session's connector is off (a backwards step, or a rise faster than the connector
   * allows since the previous reading) and whose next reading is right again (the episode's end).
   */
  private glitched(connectorId: number, context: MeterContext, atMs: number, trueWh: number): number {
    const glitch = this.meterGlitch;
    if (!glitch || this.session?.connectorId !== connectorId || context === 'Trigger') return trueWh;
    if (glitch.startMs !== undefined) {
      this.meterGlitch = undefined;
      this.config.injection?.finish(
        glitch.episode,
        { startMs: glitch.startMs, endMs: atMs },
        { connectorId, ...(glitch.detail ? { detail: glitch.detail } : {}) },
      );
      return trueWh;
    }
    if (context !== 'Sample.Periodic' || glitch.samplesBefore-- > 0) return trueWh;
    const params = this.config.injection?.params;
    if (!params) return trueWh;
    const previousMs = this.lastReadingAtByConnector.get(connectorId) ?? atMs;
    const sinceLastS = Math.max(1, (atMs - previousMs) / 1000);
    const backwards = this.config.random.chance(0.5) && trueWh >= params.meterGlitchWh;
    // Too fast: twice what the connector could deliver since the previous reading, plus the margin.
    const stepWh = backwards
      ? -params.meterGlitchWh
      : Math.ceil((2 * params.connectorMaxPowerW * sinceLastS) / 3600) + params.meterGlitchWh;
    glitch.startMs = atMs;
    glitch.connectorId = connectorId;
    glitch.detail = { direction: backwards ? 'backwards' : 'too-fast', stepWh };
    return trueWh + stepWh;
  }

  /** A v1 reading (`energy`, `powerW`). */
  protected readingMessage(input: ReadingInput): DeviceMessage {
    return meterReading(input);
  }

  /** Device time (the real clock, README "Time"); v2 chargers make it strictly rising. */
  protected deviceNow(): Date {
    return new Date(this.config.clock.now());
  }

  protected reportedWh(connectorId: number): number {
    return toWattHours({
      value: registerValue(this.registersWh[connectorId - 1] ?? 0, this.unit),
      unit: this.unit,
    });
  }

  /**
   * The charging connector's register rises with power × elapsed device time: never faster than the connector,
   * whatever the time factor (the factor shortens sessions, it does not speed up the meter).
   */
  protected advanceRegisters(): void {
    const now = this.config.clock.now();
    const session = this.session;
    if (session) {
      const hours = Math.max(0, now - this.registerUpdatedAtMs) / 3_600_000;
      const index = session.connectorId - 1;
      this.registersWh[index] = (this.registersWh[index] ?? 0) + session.powerW * hours;
    }
    this.registerUpdatedAtMs = now;
  }

  /**
   * Publishes with QoS 1, first a deliberate bad input if the draw says so. Counted when published, not
   * when acknowledged: a message still queued at a timeout may yet arrive, and must be accounted for.
   */
  protected async send(message: DeviceMessage): Promise<void> {
    const chaos = this.config.delivery;
    if (
      chaos &&
      message.kind === 'meter' &&
      !this.heldBack &&
      this.client &&
      chaos.random.chance(chaos.reorderRate)
    ) {
      // Overtaken by the next message (or sent after REORDER_HOLD_MS if none comes).
      const timer = setTimeout(() => void this.releaseHeldBack(), REORDER_HOLD_MS);
      this.heldBack = { message, timer };
      this.config.stats.delivery.reordered++;
      return;
    }
    await this.sendNow(message);
    await this.releaseHeldBack();
  }

  private async releaseHeldBack(): Promise<void> {
    const held = this.heldBack;
    if (!held) return;
    this.heldBack = undefined;
    clearTimeout(held.timer);
    await this.sendNow(held.message);
  }

  private async sendNow(message: DeviceMessage): Promise<void> {
    const client = this.client;
    if (!client) return;
    // Stopping with the broker gone: nothing would be acknowledged, so do not queue more.
    if (this.abort.signal.aborted && !client.connected) return;
    const { badInputRandom, badInputRate, stats, chargerId } = this.config;
    try {
      if (badInputRandom.chance(badInputRate)) {
        const kind = badInputRandom.pick(badInputKinds);
        const bad = badInput(kind, { connectorId: 1, at: this.deviceNow() });
        stats.badInputsSent++;
        stats.badInputsByKind[kind]++;
        await this.publish(client, deviceTopic(bad.kind, chargerId, this.config.route), bad.payload, true);
      }
      stats.messagesSent[message.kind]++;
      const topic = deviceTopic(message.kind, chargerId, this.config.route);
      await this.publish(client, topic, message.payload);
      const chaos = this.config.delivery;
      if (chaos?.random.chance(chaos.duplicateRate)) {
        // A QoS 1 redelivery: the very same message again (its id makes it the same message).
        stats.delivery.duplicated++;
        await this.publish(client, topic, message.payload);
      }
    } catch (error) {
      this.error(`publish ${message.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private publish(client: MqttClient, topic: string, payload: string, badInput = false): Promise<void> {
    this.config.onPublish({
      chargerId: this.config.chargerId,
      topic,
      payload,
      publishedAtMs: this.config.clock.now(),
      badInput,
    });
    const acknowledged = withTimeout(client.publishAsync(topic, payload, { qos: 1 }), PUBLISH_TIMEOUT_MS);
    const signal = this.abort.signal;
    return new Promise<void>((resolve, reject) => {
      // While stopping, a lost connection will not come back: give up at once instead of waiting.
      const giveUpIfStoppingOffline = () => {
        if (signal.aborted && !client.connected) reject(new Error('connection lost while stopping'));
      };
      client.on('close', giveUpIfStoppingOffline);
      signal.addEventListener('abort', giveUpIfStoppingOffline);
      giveUpIfStoppingOffline();
      acknowledged
        .then(() => resolve(), reject)
        .finally(() => {
          client.off('close', giveUpIfStoppingOffline);
          signal.removeEventListener('abort', giveUpIfStoppingOffline);
        });
    });
  }

  /** Sleeps simulated seconds; false if the fleet is stopping (unless the step must finish a cycle). */
  protected async sleepS(seconds: number, options: { evenIfStopping?: boolean } = {}): Promise<boolean> {
    if (options.evenIfStopping && this.abort.signal.aborted) return true;
    const signal = options.evenIfStopping ? new AbortController().signal : this.abort.signal;
    return this.config.clock.sleep(seconds * 1000, signal);
  }

  protected error(line: string): void {
    recordError(this.config.stats, `${this.config.chargerId}: ${line}`);
    this.config.log(`${this.config.chargerId}: error: ${line}`);
  }
}
