import {
  type AuthResponsePayload,
  authResponsePayloadSchema,
  type CloudTopicKind,
  chargerTopic,
  cloudToDeviceTopics,
  type DeviceTopicKind,
  type MeterContext,
  meterRequestPayloadSchema,
  parseChargerTopic,
  toWattHours,
} from '@evcharge/domain';
import { connectAsync, type MqttClient } from 'mqtt';
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
}

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
  protected registerUpdatedAtMs = Date.now();
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
    await this.disconnect();
  }

  protected async run(): Promise<void> {
    const { random, timing, offlineRate } = this.config;
    const signal = this.abort.signal;
    if (!(await this.sleepS(random.between(0, timing.idleS[1])))) return;
    while (!signal.aborted) {
      if (random.chance(offlineRate)) await this.goOffline();
      if (signal.aborted) return;
      await this.cycle();
      if (!(await this.sleepS(random.between(...timing.idleS)))) return;
    }
  }

  protected async cycle(): Promise<void> {
    const { random, plan, index, idTagMix, timing, chargerId, log } = this.config;
    const connectorId = random.int(1, this.config.connectorCount);
    const { idTag, kind } = chooseIdTag(plan, index, idTagMix, random);
    const plugFirst = random.chance(0.7);
    const durationS = random.between(...timing.sessionS);
    const powerW = Math.round(random.between(3_700, 22_000));

    if (plugFirst) await this.send(plug({ connectorId, event: 'plugged', at: new Date() }));
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
        await this.send(plug({ connectorId, event: 'unplugged', at: new Date() }));
      }
      return;
    }

    if (!plugFirst) {
      await this.sleepS(random.between(5, 60), { evenIfStopping: true });
      await this.send(plug({ connectorId, event: 'plugged', at: new Date() }));
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
    await this.send(plug({ connectorId: session.connectorId, event: 'unplugged', at: new Date() }));
    this.session = undefined;
    this.config.stats.sessionsActive--;
    this.config.stats.sessionsCompleted++;
    this.config.log(
      `${this.config.chargerId} connector ${session.connectorId}: unplugged, session ${session.sessionId} done`,
    );
  }

  private async authorize(connectorId: number, idTag: string): Promise<AuthResponsePayload | undefined> {
    const request = authRequest({ connectorId, idTag, at: new Date() });
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
      if (!this.silent) void this.send(heartbeat({ at: new Date(), firmware: SIMULATOR_FIRMWARE }));
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
    await this.send(
      this.readingMessage({
        connectorId,
        ...(session?.sessionId ? { sessionId: session.sessionId } : {}),
        at: this.deviceNow(),
        registerWh: this.registersWh[connectorId - 1] ?? 0,
        unit: this.unit,
        powerW: session ? session.powerW : 0,
        context,
        ...(trigger?.requestId ? { requestId: trigger.requestId } : {}),
      }),
    );
  }

  /** A v1 reading (`energy`, `powerW`). */
  protected readingMessage(input: ReadingInput): DeviceMessage {
    return meterReading(input);
  }

  /** Device time; v2 chargers make it strictly rising. */
  protected deviceNow(): Date {
    return new Date();
  }

  protected reportedWh(connectorId: number): number {
    return toWattHours({
      value: registerValue(this.registersWh[connectorId - 1] ?? 0, this.unit),
      unit: this.unit,
    });
  }

  /** The charging connector's register rises with power × simulated time. */
  protected advanceRegisters(): void {
    const now = Date.now();
    const session = this.session;
    if (session) {
      const hours = this.config.clock.simulatedMs(now - this.registerUpdatedAtMs) / 3_600_000;
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
    const client = this.client;
    if (!client) return;
    // Stopping with the broker gone: nothing would be acknowledged, so do not queue more.
    if (this.abort.signal.aborted && !client.connected) return;
    const { badInputRandom, badInputRate, stats, chargerId } = this.config;
    try {
      if (badInputRandom.chance(badInputRate)) {
        const kind = badInputRandom.pick(badInputKinds);
        const bad = badInput(kind, { connectorId: 1, at: new Date() });
        stats.badInputsSent++;
        stats.badInputsByKind[kind]++;
        await this.publish(client, chargerTopic(bad.kind, chargerId), bad.payload, true);
      }
      stats.messagesSent[message.kind]++;
      await this.publish(client, chargerTopic(message.kind, chargerId), message.payload);
    } catch (error) {
      this.error(`publish ${message.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private publish(client: MqttClient, topic: string, payload: string, badInput = false): Promise<void> {
    this.config.onPublish({
      chargerId: this.config.chargerId,
      topic,
      payload,
      publishedAtMs: Date.now(),
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
