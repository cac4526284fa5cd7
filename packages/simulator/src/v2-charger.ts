import {
  type AuthorizeResponsePayload,
  type BootResponsePayload,
  type ChargePointErrorCode,
  type ChargePointStatus,
  type CloudTopicKind,
  type CommandPayload,
  cloudTopicSchemas,
  commandPayloadSchema,
  type DeviceTopicKind,
  type RemoteStartPayload,
  type RemoteStopPayload,
  remoteStartPayloadSchema,
  remoteStopPayloadSchema,
  type StopReason,
  type TransactionStartResponsePayload,
  type TransactionStopResponsePayload,
} from '@evcharge/domain';
import type { PlannedEpisode } from './anomalies.js';
import {
  type ChargerConfig,
  type ChargerProtocol,
  type SessionOverride,
  SIMULATOR_FIRMWARE,
  SimulatedCharger,
} from './charger.js';
import { chooseIdTag } from './id-tags.js';
import {
  authorizeIdTag,
  boot,
  commandResponse,
  connectorStatus,
  type DeviceMessage,
  diagnosticsStatus,
  firmwareStatus,
  heartbeat,
  meterValues,
  type ReadingInput,
  remoteResponse,
  transactionStart,
  transactionStop,
} from './payloads.js';

/** The v2 topics a charger listens to, when the contract grants them (see ChargerConfig.granted). */
const v2Subscriptions: CloudTopicKind[] = [
  'bootResponse',
  'authorizeResponse',
  'transactionStartResponse',
  'transactionStopResponse',
  'meterRequest',
  'remoteStart',
  'remoteStop',
  'command',
];

/** Faults a charger reports now and then (StatusNotification Faulted), each followed by its recovery. */
const faultCodes: ChargePointErrorCode[] = [
  'GroundFailure',
  'HighTemperature',
  'OverCurrentFailure',
  'ReaderFailure',
];

/**
 * OCPP has a charger retry transaction messages until answered (it needs the transactionId, and the cloud its
 * meter values): a start or stop is sent up to this many times, the same message each time.
 */
export const TRANSACTION_MESSAGE_ATTEMPTS = 4;

/** How a transaction the driver ends (not the cloud, not a command) ends: swiping again or unplugging. */
const localStopReasons = { Local: 0.6, EVDisconnected: 0.4 } as const;

interface RemoteStart {
  connectorId: number;
  idTag: string;
}

interface V2Session {
  transactionId: number;
  idTag: string;
}

/**
 * A charger that speaks the v2 (OCPP 1.6 shaped) topics: boot until Accepted, then status Available →
 * authorize → Preparing → transaction/start (waits for its transactionId) → Charging, readings → transaction/stop
 * → Finishing → Available; now and then a fault and its recovery. It answers remote start/stop and operator
 * commands, and drops any that arrive after their expiresAt. Heartbeats and readings use the v1 topics, as
 * the contract says a v2 charger does.
 */
export class V2Charger extends SimulatedCharger {
  override readonly protocol: ChargerProtocol = 'v2';
  private booted = false;
  private heartbeatS: number;
  private meterS: number;
  /** The transaction running (beside the base session, which holds the register and session id). */
  private transaction: V2Session | undefined;
  /** Set by a remote stop or a command: why the running transaction must end now. */
  private stopRequest: StopReason | undefined;
  private remoteStart: RemoteStart | undefined;
  private rebootRequested = false;
  /** Between picking a connector and going back to Available: a remote start is refused meanwhile. */
  private busy = false;
  /** Aborted to cut an idle or charging wait short (a remote request, a command). */
  private wake = new AbortController();
  /** ChangeAvailability Inoperative: connectors (0 = the whole charger) that take no transaction. */
  private readonly inoperative = new Set<number>();
  private readonly configuration = new Map<string, { value: string; readonly: boolean }>();
  private lastDeviceTimeMs = 0;

  constructor(config: ChargerConfig) {
    super(config);
    this.heartbeatS = config.timing.heartbeatS;
    this.meterS = config.timing.meterS;
    this.configuration.set('HeartbeatInterval', { value: String(this.heartbeatS), readonly: false });
    this.configuration.set('MeterValueSampleInterval', { value: String(this.meterS), readonly: false });
    this.configuration.set('NumberOfConnectors', { value: String(config.connectorCount), readonly: true });
    this.configuration.set('StopTransactionOnInvalidId', { value: 'true', readonly: false });
  }

  protected override subscriptions(): CloudTopicKind[] {
    return v2Subscriptions.filter((kind) => this.config.granted.cloud.has(kind));
  }

  /** Heartbeats start once the boot is accepted (and resume after a reconnect). */
  protected override onConnected(): void {
    if (this.booted) this.startHeartbeats();
  }

  protected override heartbeatIntervalS(): number {
    return this.heartbeatS;
  }

  protected override async run(): Promise<void> {
    const { random, timing, offlineRate, faultRate } = this.config;
    if (!(await this.bootUntilAccepted())) return;
    if (!(await this.idle(random.between(0, timing.idleS[1])))) return;
    while (!this.abort.signal.aborted) {
      if (this.rebootRequested) {
        this.rebootRequested = false;
        this.booted = false;
        if (!(await this.bootUntilAccepted())) return;
      } else if (this.remoteStart) {
        await this.remoteCycle(this.remoteStart);
      } else if (this.config.injection && this.config.injection.pending > 0 && this.takeEpisode()) {
        // An injected episode is due: it runs in place of a cycle.
        await this.runPendingEpisode();
      } else if (random.chance(offlineRate)) {
        await this.goOffline();
      } else if (random.chance(faultRate)) {
        await this.faultEpisode();
      } else {
        await this.localCycle();
      }
      if (this.abort.signal.aborted) return;
      if (this.rebootRequested || this.remoteStart) continue;
      // Nothing is waiting to be done: a wake left from the cycle (a stop it already handled) is spent.
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (!(await this.idle(random.between(...timing.idleS)))) return;
    }
  }

  /** Boots, and on Pending or Rejected boots again after the interval the answer gave. */
  private async bootUntilAccepted(): Promise<boolean> {
    const { stats, chargerId, log, connectorCount, timing } = this.config;
    while (!this.abort.signal.aborted) {
      const request = boot({ serial: chargerId, firmware: SIMULATOR_FIRMWARE, at: this.deviceNow() });
      const answer = await this.request<BootResponsePayload>(request.requestId, request.message);
      if (!answer && this.abort.signal.aborted) return false;
      stats.bootDecisions[answer?.status ?? 'NoResponse']++;
      log(`${chargerId} (${this.protocol}): boot → ${answer?.status ?? 'no answer'}`);
      if (answer?.status === 'Accepted') {
        this.booted = true;
        if (answer.interval > 0) this.heartbeatS = answer.interval;
        if (answer.meterValueSampleInterval > 0) this.meterS = answer.meterValueSampleInterval;
        this.configuration.set('HeartbeatInterval', { value: String(this.heartbeatS), readonly: false });
        this.configuration.set('MeterValueSampleInterval', { value: String(this.meterS), readonly: false });
        this.startHeartbeats();
        for (let connectorId = 0; connectorId <= connectorCount; connectorId++) {
          await this.sendStatus(connectorId, this.isOperative(connectorId) ? 'Available' : 'Unavailable');
        }
        return true;
      }
      const retryS = answer && answer.interval > 0 ? answer.interval : timing.heartbeatS;
      if (!(await this.sleepS(retryS))) return false;
    }
    return false;
  }

  private pendingEpisode: PlannedEpisode | undefined;

  private takeEpisode(): boolean {
    this.pendingEpisode = this.config.injection?.take();
    return this.pendingEpisode !== undefined;
  }

  private async runPendingEpisode(): Promise<void> {
    const episode = this.pendingEpisode;
    this.pendingEpisode = undefined;
    if (episode) await this.runEpisode(episode);
  }

  /** Stalls and site load need a transaction with status Charging: only v2 and OCPP chargers run them. */
  protected override async runEpisode(episode: PlannedEpisode): Promise<void> {
    if (episode.kind !== 'stalled-charging' && episode.kind !== 'site-load') return super.runEpisode(episode);
    const { chargerId, log, stats } = this.config;
    log(`${chargerId} (${this.protocol}): injecting ${episode.kind} (${episode.episodeId})`);
    const ran = await this.localCycle({
      episode,
      ...(episode.kind === 'site-load' ? { powerW: this.config.injection?.params.siteLoadPowerW } : {}),
    });
    if (!ran) {
      if (episode.kind === 'site-load') episode.site?.leave(chargerId);
      this.skipEpisode(episode, 'its transaction did not start');
    }
    stats.anomalies.pending = Math.max(0, stats.anomalies.pending - 1);
  }

  protected override async chargeOnce(override: SessionOverride): Promise<void> {
    await this.localCycle(override);
  }

  protected override meterIntervalS(): number {
    return this.meterS;
  }

  /** The driver presents a tag (Authorize), then plugs in and starts; true when a transaction ran. */
  private async localCycle(override: SessionOverride = {}): Promise<boolean> {
    const { random, plan, index, idTagMix, connectorCount, stats, chargerId, log } = this.config;
    const connectorId = random.int(1, connectorCount);
    const drawn = chooseIdTag(plan, index, idTagMix, random);
    // An injected episode needs its transaction: it charges with the charger's own valid tag.
    const { idTag, kind } = override.episode
      ? { idTag: plan.validByCharger[index] ?? drawn.idTag, kind: 'valid' }
      : drawn;
    const durationS = override.durationS ?? random.between(...this.config.timing.sessionS);
    const powerW = override.powerW ?? this.drawPowerW();
    if (!this.isOperative(connectorId)) return false;
    this.busy = true;
    try {
      const request = authorizeIdTag({ idTag, at: this.deviceNow() });
      const answer = await this.request<AuthorizeResponsePayload>(request.requestId, request.message);
      if (!answer && this.abort.signal.aborted) return false;
      const status = answer?.idTagInfo.status ?? 'NoResponse';
      stats.authDecisions[status]++;
      log(
        `${chargerId} (${this.protocol}) connector ${connectorId}: authorize ${idTag} (${kind}) → ${status}`,
      );
      if (status !== 'Accepted') return false;
      await this.sendStatus(connectorId, 'Preparing');
      return await this.runTransaction({
        connectorId,
        idTag,
        durationS,
        powerW,
        ...(override.episode ? { episode: override.episode } : {}),
      });
    } finally {
      this.busy = false;
    }
  }

  /** RemoteStartTransaction accepted: start on that connector with that tag, no Authorize first. */
  private async remoteCycle(remote: RemoteStart): Promise<void> {
    const { random, timing } = this.config;
    this.remoteStart = undefined;
    this.busy = true;
    try {
      await this.sendStatus(remote.connectorId, 'Preparing');
      await this.runTransaction({
        connectorId: remote.connectorId,
        idTag: remote.idTag,
        durationS: random.between(...timing.sessionS),
        powerW: this.drawPowerW(),
      });
    } finally {
      this.busy = false;
    }
  }

  /** True when the transaction started and was accepted (an injected episode ran in it). */
  private async runTransaction(input: {
    connectorId: number;
    idTag: string;
    durationS: number;
    powerW: number;
    episode?: PlannedEpisode;
  }): Promise<boolean> {
    const { connectorId, idTag, powerW } = input;
    const { stats, chargerId, log } = this.config;
    if (this.abort.signal.aborted || !this.isOperative(connectorId)) {
      await this.sendStatus(connectorId, this.isOperative(connectorId) ? 'Available' : 'Unavailable');
      return false;
    }
    this.advanceRegisters();
    const meterStartWh = this.reportedWh(connectorId);
    const request = transactionStart({ connectorId, idTag, meterStartWh, at: this.deviceNow() });
    const started = await this.request<TransactionStartResponsePayload>(request.requestId, request.message, {
      attempts: TRANSACTION_MESSAGE_ATTEMPTS,
    });
    if (!started) {
      // No transactionId: nothing this charger could ever stop. The driver gives up and unplugs.
      log(`${chargerId} (${this.protocol}) connector ${connectorId}: transaction/start unanswered`);
      if (!this.abort.signal.aborted) stats.transactions.unanswered++;
      await this.finish(connectorId);
      return false;
    }
    stats.transactions.started++;
    this.stopRequest = undefined;
    this.transaction = { transactionId: started.transactionId, idTag };
    this.session = { connectorId, sessionId: started.sessionId, powerW, lastReportedWh: meterStartWh };
    if (started.idTagInfo.status !== 'Accepted') {
      // StopTransactionOnInvalidId: a start refused for its tag is stopped at once, nothing delivered.
      stats.transactions.refused++;
      log(
        `${chargerId} (${this.protocol}) connector ${connectorId}: transaction ${started.transactionId} refused`,
      );
      await this.endTransaction('DeAuthorized');
      return false;
    }
    stats.sessionsStarted++;
    stats.sessionsActive++;
    await this.sendStatus(connectorId, 'Charging');
    await this.sendReading('Transaction.Begin');
    if (input.episode?.kind === 'stalled-charging') await this.stall(input.episode, connectorId);
    else if (input.episode?.kind === 'site-load') await this.drawWithSite(input.episode);
    let remainingS = input.episode && input.episode.kind !== 'meter-anomaly' ? 0 : input.durationS;
    while (remainingS > 0 && !this.stopRequest) {
      const stepS = Math.min(remainingS, this.meterS);
      const slept = await this.idle(stepS);
      if (!slept) break;
      if (this.stopRequest) break;
      remainingS -= stepS;
      if (remainingS > 0) await this.sendReading('Sample.Periodic');
    }
    stats.sessionsActive--;
    stats.sessionsCompleted++;
    await this.endTransaction(this.stopRequest ?? this.config.random.weighted(localStopReasons));
    return true;
  }

  /**
   * A stall: after one true periodic reading the connector stays Charging but draws 0 W, its register flat,
   * readings still coming at the sample interval, until the flat run spans `stalledS` of device time; then
   * power comes back for one reading (the recovery) and the transaction ends.
   */
  private async stall(episode: PlannedEpisode, connectorId: number): Promise<void> {
    const { injection } = this.config;
    const session = this.session;
    if (!injection || !session) return;
    if (!(await this.idle(this.meterS)) || this.stopRequest)
      return this.skipEpisode(episode, 'stopped first');
    await this.sendReading('Sample.Periodic');
    this.advanceRegisters();
    const powerW = session.powerW;
    session.powerW = 0;
    await this.sendReading('Sample.Periodic');
    const startMs = this.lastReadingAtMs;
    let endMs = startMs;
    let complete = false;
    while (!this.stopRequest) {
      if (endMs - startMs >= injection.params.stalledS * 1000) {
        complete = true;
        break;
      }
      if (!(await this.idle(this.meterS)) || this.stopRequest) break;
      await this.sendReading('Sample.Periodic');
      endMs = this.lastReadingAtMs;
    }
    injection.finish(
      episode,
      { startMs, endMs, ...(complete ? {} : { interrupted: true }) },
      { connectorId, detail: { stalledS: Math.round((endMs - startMs) / 1000) } },
    );
    this.advanceRegisters();
    session.powerW = powerW;
    if (complete && (await this.idle(this.meterS)) && !this.stopRequest)
      await this.sendReading('Sample.Periodic');
  }

  /** Site load: full power, readings at the sample interval, until the site's episode releases every member. */
  private async drawWithSite(episode: PlannedEpisode): Promise<void> {
    const site = episode.site;
    if (!site) return;
    let released = false;
    // Drawing full power since the Begin reading, the last one sent.
    void site.join(this.chargerId, this.lastReadingAtMs).then(() => {
      released = true;
      this.wake.abort();
    });
    while (!released && !this.stopRequest) {
      if (!(await this.idle(this.meterS))) {
        site.leave(this.chargerId);
        break;
      }
      if (released || this.stopRequest) break;
      await this.sendReading('Sample.Periodic');
    }
  }

  /** Transaction.End reading, transaction/stop, then the connector goes Finishing → Available. */
  private async endTransaction(reason: StopReason): Promise<void> {
    const session = this.session;
    const transaction = this.transaction;
    if (!session || !transaction) return;
    const { stats, chargerId, log } = this.config;
    if (reason !== 'DeAuthorized') await this.sendReading('Transaction.End');
    const request = transactionStop({
      transactionId: transaction.transactionId,
      meterStopWh: this.reportedWh(session.connectorId),
      reason,
      ...(reason === 'Local' ? { idTag: transaction.idTag } : {}),
      at: this.deviceNow(),
    });
    this.session = undefined;
    this.transaction = undefined;
    this.stopRequest = undefined;
    stats.transactions.stopReasons[reason]++;
    const answer = await this.request<TransactionStopResponsePayload>(request.requestId, request.message, {
      attempts: TRANSACTION_MESSAGE_ATTEMPTS,
    });
    log(
      `${chargerId} (${this.protocol}) connector ${session.connectorId}: transaction ${transaction.transactionId} stopped (${reason})${answer ? '' : ', unanswered'}`,
    );
    await this.finish(session.connectorId);
  }

  private async finish(connectorId: number): Promise<void> {
    await this.sendStatus(connectorId, 'Finishing');
    await this.sleepS(this.config.random.between(10, 60), { evenIfStopping: true });
    await this.sendStatus(connectorId, this.isOperative(connectorId) ? 'Available' : 'Unavailable');
  }

  private async faultEpisode(): Promise<void> {
    const { random, connectorCount, stats, chargerId, log } = this.config;
    const connectorId = random.int(1, connectorCount);
    const errorCode = random.pick(faultCodes);
    if (!this.isOperative(connectorId)) return;
    this.busy = true;
    try {
      stats.faults++;
      log(`${chargerId} (${this.protocol}) connector ${connectorId}: Faulted (${errorCode})`);
      await this.sendStatus(connectorId, 'Faulted', errorCode);
      await this.sleepS(random.between(5 * 60, 15 * 60), { evenIfStopping: true });
      await this.sendStatus(connectorId, this.isOperative(connectorId) ? 'Available' : 'Unavailable');
    } finally {
      this.busy = false;
    }
  }

  // ---- requests from the cloud -------------------------------------------------------------------------

  protected override onCloudMessage(kind: CloudTopicKind, body: unknown): void {
    switch (kind) {
      case 'bootResponse':
      case 'authorizeResponse':
      case 'transactionStartResponse':
      case 'transactionStopResponse':
        this.onAnswer(kind, body);
        return;
      case 'meterRequest':
        this.onMeterRequest(body);
        return;
      case 'remoteStart':
        this.onRemoteStart(body);
        return;
      case 'remoteStop':
        this.onRemoteStop(body);
        return;
      case 'command':
        this.onCommand(body);
        return;
      default:
        this.error(`message on unexpected topic kind ${kind}`);
    }
  }

  private onAnswer(kind: CloudTopicKind, body: unknown): void {
    const answer = cloudTopicSchemas[kind].safeParse(body);
    if (!answer.success) {
      this.error(
        `invalid ${kind}: ${answer.error.issues[0]?.path.join('.')} ${answer.error.issues[0]?.message}`,
      );
      return;
    }
    this.settleAnswer((answer.data as { requestId: string }).requestId, answer.data);
  }

  /** A request from the cloud, parsed; undefined (and counted) when invalid, expired, or the charger is silent. */
  private accept<Request extends { expiresAt: string }>(
    kind: string,
    parsed: { success: true; data: Request } | { success: false; error: { issues: { message: string }[] } },
  ): Request | undefined {
    if (!parsed.success) {
      this.error(`invalid ${kind}: ${parsed.error.issues[0]?.message}`);
      return undefined;
    }
    if (Date.parse(parsed.data.expiresAt) <= this.config.clock.now()) {
      // Never executed late: a remote start queued for an offline charger must not fire an hour later.
      this.config.stats.expiredDropped++;
      this.config.log(`${this.config.chargerId} (${this.protocol}): ${kind} past its expiresAt, dropped`);
      return undefined;
    }
    return this.silent ? undefined : parsed.data;
  }

  private onRemoteStart(body: unknown): void {
    const request = this.accept<RemoteStartPayload>('remote/start', remoteStartPayloadSchema.safeParse(body));
    if (!request) return;
    this.answerRemote(request.requestId, this.acceptRemoteStart(request.connectorId, request.idTag));
  }

  private onRemoteStop(body: unknown): void {
    const request = this.accept<RemoteStopPayload>('remote/stop', remoteStopPayloadSchema.safeParse(body));
    if (!request) return;
    this.answerRemote(request.requestId, this.acceptRemoteStop(request.transactionId));
  }

  /** A remote start is accepted when the charger is idle and the connector operative; the transaction follows. */
  protected acceptRemoteStart(connectorId: number, idTag: string): boolean {
    const canStart =
      this.booted &&
      !this.busy &&
      !this.remoteStart &&
      !this.session &&
      connectorId >= 1 &&
      connectorId <= this.config.connectorCount &&
      this.isOperative(connectorId);
    this.countRemote(canStart, 'start');
    if (canStart) {
      this.remoteStart = { connectorId, idTag };
      this.wake.abort();
    }
    return canStart;
  }

  /** A remote stop is accepted when it names the running transaction, which then stops with reason Remote. */
  protected acceptRemoteStop(transactionId: number): boolean {
    const running = this.transaction?.transactionId === transactionId && !this.stopRequest;
    this.countRemote(running, 'stop');
    if (running) this.requestStop('Remote');
    return running;
  }

  private countRemote(accepted: boolean, what: 'start' | 'stop'): void {
    this.config.stats.remoteRequests[accepted ? 'accepted' : 'rejected']++;
    this.config.log(
      `${this.config.chargerId} (${this.protocol}): remote ${what} ${accepted ? 'accepted' : 'rejected'}`,
    );
  }

  private answerRemote(requestId: string, accepted: boolean): void {
    void this.sendIfGranted(
      remoteResponse({ requestId, status: accepted ? 'Accepted' : 'Rejected', at: this.deviceNow() }),
    );
  }

  private requestStop(reason: StopReason): void {
    this.stopRequest = reason;
    this.wake.abort();
  }

  private onCommand(body: unknown): void {
    const command = this.accept<CommandPayload>('command', commandPayloadSchema.safeParse(body));
    if (!command) return;
    this.config.stats.commands[command.action]++;
    const { status, payload, afterAnswer } = this.execute(command);
    void this.sendIfGranted(
      commandResponse({
        requestId: command.requestId,
        status,
        ...(payload ? { payload } : {}),
        at: this.deviceNow(),
      }),
    )
      .then(afterAnswer)
      .catch((error: unknown) => this.error(`command ${command.action}: ${String(error)}`));
  }

  /** What a command does: its answer, and what follows once the answer is out (OCPP answers first). */
  protected execute(command: Pick<CommandPayload, 'action' | 'payload'>): {
    status: Parameters<typeof commandResponse>[0]['status'];
    payload?: Record<string, unknown>;
    afterAnswer?: () => Promise<void> | void;
  } {
    const { connectorCount } = this.config;
    const args = command.payload as Record<string, unknown>;
    const connectorId = typeof args.connectorId === 'number' ? args.connectorId : undefined;
    const onThisConnector = (id: number | undefined) =>
      this.session !== undefined && (id === 0 || id === this.session.connectorId);
    switch (command.action) {
      case 'Reset':
        return {
          status: 'Accepted',
          afterAnswer: () => {
            if (this.session) this.requestStop(args.type === 'Hard' ? 'HardReset' : 'SoftReset');
            this.rebootRequested = true;
            this.wake.abort();
          },
        };
      case 'UnlockConnector':
        if (connectorId === undefined || connectorId > connectorCount) return { status: 'NotSupported' };
        return {
          status: 'Unlocked',
          afterAnswer: () => {
            if (onThisConnector(connectorId)) this.requestStop('UnlockCommand');
          },
        };
      case 'ChangeAvailability': {
        if (connectorId === undefined || connectorId > connectorCount) return { status: 'Rejected' };
        const inoperative = args.type === 'Inoperative';
        if (inoperative) this.inoperative.add(connectorId);
        else this.inoperative.delete(connectorId);
        // Busy connectors change once their transaction ends (finish() reports Unavailable then).
        if (inoperative && onThisConnector(connectorId)) return { status: 'Scheduled' };
        const affected = connectorId === 0 ? this.allConnectorIds() : [connectorId];
        return {
          status: 'Accepted',
          afterAnswer: async () => {
            for (const id of affected) {
              if (this.session?.connectorId === id || (this.busy && id !== 0)) continue;
              await this.sendStatus(id, this.isOperative(id) ? 'Available' : 'Unavailable');
            }
          },
        };
      }
      case 'GetConfiguration': {
        const keys = Array.isArray(args.key) ? (args.key as string[]) : [...this.configuration.keys()];
        const configurationKey = keys
          .filter((key) => this.configuration.has(key))
          .map((key) => ({
            key,
            readonly: this.configuration.get(key)?.readonly,
            value: this.configuration.get(key)?.value,
          }));
        const unknownKey = keys.filter((key) => !this.configuration.has(key));
        return {
          status: 'Accepted',
          payload: { configurationKey, ...(unknownKey.length > 0 ? { unknownKey } : {}) },
        };
      }
      case 'ChangeConfiguration': {
        const key = String(args.key);
        const entry = this.configuration.get(key);
        if (!entry) return { status: 'NotSupported' };
        const seconds = Number(args.value);
        const isInterval = key === 'HeartbeatInterval' || key === 'MeterValueSampleInterval';
        if (entry.readonly || (isInterval && !(Number.isInteger(seconds) && seconds > 0)))
          return { status: 'Rejected' };
        entry.value = String(args.value);
        if (key === 'HeartbeatInterval') {
          this.heartbeatS = seconds;
          return { status: 'Accepted', afterAnswer: () => this.startHeartbeats() };
        }
        if (key === 'MeterValueSampleInterval') this.meterS = seconds;
        return { status: 'Accepted' };
      }
      case 'ClearCache':
        return { status: 'Accepted' };
      case 'TriggerMessage':
        return this.trigger(String(args.requestedMessage), connectorId);
    }
  }

  private trigger(
    requestedMessage: string,
    connectorId: number | undefined,
  ): { status: 'Accepted' | 'Rejected' | 'NotImplemented'; afterAnswer?: () => Promise<void> } {
    if (connectorId !== undefined && connectorId > this.config.connectorCount) return { status: 'Rejected' };
    const at = () => this.deviceNow();
    const sendWhenGranted = (kind: DeviceTopicKind, build: () => DeviceMessage) =>
      this.config.granted.device.has(kind)
        ? { status: 'Accepted' as const, afterAnswer: () => this.send(build()) }
        : { status: 'NotImplemented' as const };
    switch (requestedMessage) {
      case 'BootNotification':
        return sendWhenGranted(
          'boot',
          () => boot({ serial: this.chargerId, firmware: SIMULATOR_FIRMWARE, at: at() }).message,
        );
      case 'Heartbeat':
        return sendWhenGranted('heartbeat', () => heartbeat({ at: at(), firmware: SIMULATOR_FIRMWARE }));
      case 'FirmwareStatusNotification':
        return sendWhenGranted('firmwareStatus', () => firmwareStatus({ status: 'Idle', at: at() }));
      case 'DiagnosticsStatusNotification':
        return sendWhenGranted('diagnosticsStatus', () => diagnosticsStatus({ status: 'Idle', at: at() }));
      case 'StatusNotification':
        return {
          status: 'Accepted',
          afterAnswer: async () => {
            for (const id of connectorId === undefined ? this.allConnectorIds() : [connectorId]) {
              await this.sendStatus(id, this.currentStatus(id));
            }
          },
        };
      case 'MeterValues':
        return {
          status: 'Accepted',
          afterAnswer: () =>
            this.sendReading('Trigger', { connectorId: connectorId ?? this.session?.connectorId ?? 1 }),
        };
      default:
        return { status: 'NotImplemented' };
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private async sendStatus(
    connectorId: number,
    status: ChargePointStatus,
    errorCode: ChargePointErrorCode = 'NoError',
  ): Promise<void> {
    await this.send(connectorStatus({ connectorId, status, errorCode, at: this.deviceNow() }));
  }

  /** Answers go out only on topics the charger is granted: a refused publish would cost it its connection. */
  private async sendIfGranted(message: DeviceMessage): Promise<void> {
    if (this.config.granted.device.has(message.kind)) await this.send(message);
    else
      this.config.log(`${this.config.chargerId} (${this.protocol}): ${message.kind} not granted, not sent`);
  }

  /** The status a TriggerMessage(StatusNotification) reports for a connector now. */
  private currentStatus(connectorId: number): ChargePointStatus {
    if (!this.isOperative(connectorId)) return 'Unavailable';
    if (this.session?.connectorId === connectorId) return 'Charging';
    return 'Available';
  }

  private isOperative(connectorId: number): boolean {
    return !this.inoperative.has(0) && !this.inoperative.has(connectorId);
  }

  private allConnectorIds(): number[] {
    return Array.from({ length: this.config.connectorCount + 1 }, (_, id) => id);
  }

  /** v2 readings are OCPP MeterValues, linked by transactionId. */
  protected override readingMessage(input: ReadingInput): DeviceMessage {
    const transactionId =
      this.session?.connectorId === input.connectorId ? this.transaction?.transactionId : undefined;
    return meterValues({ ...input, ...(transactionId !== undefined ? { transactionId } : {}) });
  }

  /**
   * Device time, strictly rising per charger: v2 state is ordered by it, so two messages of one charger never
   * share a timestamp.
   */
  protected override deviceNow(): Date {
    this.lastDeviceTimeMs = Math.max(this.config.clock.now(), this.lastDeviceTimeMs + 1);
    return new Date(this.lastDeviceTimeMs);
  }

  /**
   * Waits simulated seconds unless a remote request or a command cuts the wait short: false only when the
   * fleet is stopping.
   */
  private async idle(seconds: number): Promise<boolean> {
    const wake = this.wake.signal;
    // Woken before the wait began (a request that came while sending): the wait is over at once.
    if (wake.aborted) {
      this.wake = new AbortController();
      return !this.abort.signal.aborted;
    }
    // One controller for both causes, held here (not AbortSignal.any, whose signal Node may collect early).
    const either = new AbortController();
    const cut = () => either.abort();
    for (const signal of [this.abort.signal, wake]) {
      if (signal.aborted) either.abort();
      else signal.addEventListener('abort', cut, { once: true });
    }
    await this.config.clock.sleep(seconds * 1000, either.signal);
    this.abort.signal.removeEventListener('abort', cut);
    wake.removeEventListener('abort', cut);
    if (wake.aborted) this.wake = new AbortController();
    return !this.abort.signal.aborted;
  }
}
