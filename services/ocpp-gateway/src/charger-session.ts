import {
  type AuthorizeResponsePayload,
  type BootResponsePayload,
  type CloudTopicKind,
  type DeviceTopicKind,
  deviceTopicSchemas,
  type TransactionStartResponsePayload,
  type TransactionStopResponsePayload,
} from '@evcharge/domain';
import { createRPCError } from 'ocpp-rpc';
import { ChargerCommands } from './charger-commands.js';
import { CloudAnswers, within } from './cloud-answers.js';
import { CloudUnavailableError, ContractViolationError, callErrorFor } from './errors.js';
import type { Logger } from './log.js';
import * as up from './mapping/charger-to-cloud.js';
import * as down from './mapping/cloud-to-charger.js';
import type * as ocpp from './mapping/ocpp-types.js';
import { dispositionOf } from './ocpp/actions.js';
import { rewriteOutboundFrame } from './ocpp/call-errors.js';
import type { OcppConnection } from './ocpp/connection.js';
import type { UpstreamLink } from './upstream/upstream.js';

export interface SessionConfig {
  /** How long a charger's CALL waits for the cloud (PUBACK, or the cloud's answer) before InternalError. */
  cloudAnswerTimeoutMs: number;
  /** How long a meter/request's TriggerMessage waits for the triggered MeterValues to echo its requestId. */
  triggerWindowMs: number;
}

/**
 * Which chargers' connector statuses the cloud may have missed. Kept by the gateway across connections: an
 * outage that drops the link also drops the socket, and the charger comes back on a new one. Chargers do not
 * retry a StatusNotification, so once the cloud takes messages again the gateway asks for them.
 */
export interface StatusResync {
  /** A message of this charger did not reach the cloud (or the link dropped). */
  markUnsure(chargerId: string): void;
  /** True (and forgets it) when the charger's statuses must be asked for again. */
  takeUnsure(chargerId: string): boolean;
}

export function statusResyncSet(): StatusResync {
  const unsure = new Set<string>();
  return {
    markUnsure: (chargerId) => void unsure.add(chargerId),
    takeUnsure: (chargerId) => unsure.delete(chargerId),
  };
}

/** TriggerMessage without a connectorId: every connector reports its status (OCPP 1.6, 5.17). */
const statusTrigger: down.OcppCall = {
  action: 'TriggerMessage',
  payload: { requestedMessage: 'StatusNotification' },
};

/**
 * One connected charger: its OCPP connection and its own upstream link. Nothing here outlives the socket but
 * in-flight calls; what the charger was told was accepted is already in the cloud.
 */
export class ChargerSession {
  private readonly answers = new CloudAnswers();
  private readonly inFlight = new Set<string>();
  /** transactionId → connectorId, learnt from this connection's StartTransaction and MeterValues. */
  private readonly commands: ChargerCommands;
  private upstream: UpstreamLink | undefined;
  private readonly upstreamReady: Promise<UpstreamLink>;
  private closed = false;
  /** This connection's own figures, logged once when it closes (`charger connection closed`). */
  private readonly metrics = {
    connectedAt: Date.now(),
    calls: 0,
    callErrors: 0,
    slowestAnswerMs: 0,
    cloudMessages: 0,
    framesDropped: 0,
  };

  constructor(
    readonly chargerId: string,
    private readonly connection: OcppConnection,
    connectUpstream: () => Promise<UpstreamLink>,
    private readonly config: SessionConfig,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly statusResync: StatusResync = statusResyncSet(),
  ) {
    this.installFrameRewrite();
    this.registerHandlers();
    this.commands = new ChargerCommands(
      chargerId,
      connection,
      (kind, payload) => this.upstreamReady.then((link) => link.publish(kind, payload)),
      config.triggerWindowMs,
      log,
      clock,
    );
    this.upstreamReady = connectUpstream().then((link) => {
      this.upstream = link;
      if (this.closed) void link.close();
      link.onCloudMessage((kind, payload) => this.onCloudMessage(kind, payload));
      link.onLost((reason) => {
        this.log.warn('upstream lost; closing the charger connection', { chargerId, reason });
        this.statusResync.markUnsure(chargerId);
        void this.connection.close({ code: 1011, reason: 'upstream lost' });
      });
      this.resyncStatusIfUnsure();
      return link;
    });
    this.upstreamReady.catch((error: unknown) => {
      this.statusResync.markUnsure(chargerId);
      this.log.error('upstream connect failed; closing the charger connection', {
        chargerId,
        error: String(error),
      });
      void this.connection.close({ code: 1011, reason: 'upstream unavailable' });
    });
  }

  async close(): Promise<void> {
    if (!this.closed) {
      const { connectedAt, ...counts } = this.metrics;
      this.log.info('charger connection closed', {
        chargerId: this.chargerId,
        connectedS: Math.round((Date.now() - connectedAt) / 1000),
        ...counts,
      });
    }
    this.closed = true;
    await this.upstream?.close();
  }

  /** Every frame ocpp-rpc writes passes the one rewrite to OCPP 1.6 error codes. */
  private installFrameRewrite(): void {
    const send = this.connection.sendRaw.bind(this.connection);
    this.connection.sendRaw = (frame: string) => {
      const decision = rewriteOutboundFrame(frame, (uniqueId) => this.inFlight.has(uniqueId));
      if ('drop' in decision) {
        this.metrics.framesDropped++;
        this.log.warn('frame dropped', { chargerId: this.chargerId, why: decision.drop });
        return;
      }
      send(decision.send);
    };
  }

  private registerHandlers(): void {
    const on = <Req>(action: string, handler: (req: Req, uniqueId: string) => Promise<unknown>) =>
      this.connection.handle(action, (call) =>
        this.answerCall(call.messageId, action, () => handler(call.params as Req, call.messageId)),
      );
    on<ocpp.BootNotificationReq>('BootNotification', (req) => this.boot(req));
    on<ocpp.AuthorizeReq>('Authorize', (req) => this.authorize(req));
    on<ocpp.StartTransactionReq>('StartTransaction', (req) => this.startTransaction(req));
    on<ocpp.StopTransactionReq>('StopTransaction', (req) => this.stopTransaction(req));
    on<ocpp.StatusNotificationReq>('StatusNotification', async (req) => {
      await this.forward('status', up.statusFrom(this.chargerId, req, this.clock()));
      return {};
    });
    on<ocpp.MeterValuesReq>('MeterValues', (req) => this.meterValues(req));
    on<Record<string, never>>('Heartbeat', async () => this.heartbeat());
    on<ocpp.DataTransferReq>('DataTransfer', async () => ({ status: 'UnknownVendorId' }));
    on<ocpp.StatusReport16>('FirmwareStatusNotification', async (req) => {
      await this.forward('firmwareStatus', up.firmwareStatusFrom(this.chargerId, req, this.clock()));
      return {};
    });
    on<ocpp.StatusReport16>('DiagnosticsStatusNotification', async (req) => {
      await this.forward('diagnosticsStatus', up.diagnosticsStatusFrom(this.chargerId, req, this.clock()));
      return {};
    });
    // Reached only by an action with a 1.6 schema (the strict validator answers the others NotImplemented).
    this.connection.handle(async ({ method }) => {
      const disposition = dispositionOf(method);
      throw createRPCError(
        disposition === 'handled' ? 'InternalError' : disposition,
        `${method} is not taken from a charge point`,
        {},
      );
    });
  }

  /** The one edge where a CALL's outcome becomes its single reply (a result, or a 1.6 CALLERROR). */
  private async answerCall(uniqueId: string, action: string, handle: () => Promise<unknown>) {
    this.inFlight.add(uniqueId);
    this.metrics.calls++;
    const started = Date.now();
    try {
      return await handle();
    } catch (error) {
      this.metrics.callErrors++;
      const answer = callErrorFor(error);
      this.log.warn('call answered with an error', {
        chargerId: this.chargerId,
        uniqueId,
        action,
        error: error instanceof Error ? error.message : String(error),
      });
      throw answer;
    } finally {
      this.inFlight.delete(uniqueId);
      this.metrics.slowestAnswerMs = Math.max(this.metrics.slowestAnswerMs, Date.now() - started);
    }
  }

  private deadline = () =>
    new CloudUnavailableError(`the cloud did not answer within ${this.config.cloudAnswerTimeoutMs} ms`);

  /** Checks a mapped payload against its topic's contract schema, then publishes it and waits for the PUBACK. */
  private async forward(kind: DeviceTopicKind, payload: object): Promise<void> {
    const checked = deviceTopicSchemas[kind].safeParse(payload);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new ContractViolationError(issue?.path.join('.') || kind, issue?.message ?? 'invalid');
    }
    try {
      await within(
        this.upstreamReady.then((link) => link.publish(kind, payload)),
        this.config.cloudAnswerTimeoutMs,
        this.deadline,
      );
    } catch (error) {
      this.statusResync.markUnsure(this.chargerId);
      throw error;
    }
    this.resyncStatusIfUnsure();
  }

  /** After an outage, once the cloud takes this charger's messages again: every connector reports its status. */
  private resyncStatusIfUnsure(): void {
    if (this.closed || !this.statusResync.takeUnsure(this.chargerId)) return;
    this.log.info('asking the charger for its statuses after an upstream outage', {
      chargerId: this.chargerId,
    });
    // After the current CALL's reply is on the wire; ocpp-rpc queues it behind any other gateway → charger CALL.
    setImmediate(() => void this.commands.call([statusTrigger], 'status after an upstream outage'));
  }

  /** Publishes a request and waits for the cloud's answer with the same requestId. */
  private async ask<Answer>(
    kind: DeviceTopicKind,
    payload: { requestId: string },
    answerKind: CloudTopicKind,
  ): Promise<Answer> {
    const expected = this.answers.expect<Answer>(answerKind, payload.requestId);
    try {
      const published = this.forward(kind, payload);
      return await within(
        published.then(() => expected.answer),
        this.config.cloudAnswerTimeoutMs,
        this.deadline,
      );
    } finally {
      expected.cancel();
    }
  }

  private async boot(req: ocpp.BootNotificationReq) {
    const answer = await this.ask<BootResponsePayload>(
      'boot',
      up.bootFrom(this.chargerId, req, this.clock()),
      'bootResponse',
    );
    // After the CALLRESULT is on the wire: a central system sends nothing before the boot is answered.
    setImmediate(() => this.commands.call(down.bootConfigurationFrom(answer), 'boot configuration'));
    return down.bootConfFrom(answer);
  }

  private async authorize(req: ocpp.AuthorizeReq) {
    const answer = await this.ask<AuthorizeResponsePayload>(
      'authorize',
      up.authorizeFrom(this.chargerId, req, this.clock()),
      'authorizeResponse',
    );
    return down.authorizeConfFrom(answer);
  }

  private async startTransaction(req: ocpp.StartTransactionReq) {
    const answer = await this.ask<TransactionStartResponsePayload>(
      'transactionStart',
      up.transactionStartFrom(this.chargerId, req),
      'transactionStartResponse',
    );
    return down.startTransactionConfFrom(answer);
  }

  private async stopTransaction(req: ocpp.StopTransactionReq) {
    const stop = up.transactionStopFrom(this.chargerId, req);
    if (req.transactionData?.length) {
      // StopTransaction names no connector: the transactionId does, in the cloud (docs/contract.md, meter).
      const meters = up.meterMessagesFrom(this.chargerId, req.transactionData, {
        transactionId: req.transactionId,
      });
      // The readings are in the cloud before the stop that completes their session.
      await Promise.all(meters.map((meter) => this.forward('meter', meter)));
    }
    const answer = await this.ask<TransactionStopResponsePayload>(
      'transactionStop',
      stop,
      'transactionStopResponse',
    );
    return down.stopTransactionConfFrom(answer);
  }

  private async meterValues(req: ocpp.MeterValuesReq) {
    const requestId = this.commands.pendingTriggerOf(req.connectorId);
    const meters = up.meterValuesFrom(this.chargerId, req, requestId);
    await Promise.all(meters.map((meter) => this.forward('meter', meter)));
    if (requestId && meters.some((meter) => meter.requestId === requestId))
      this.commands.triggerAnswered(req.connectorId);
    return {};
  }

  private heartbeat() {
    const now = this.clock();
    // Answered at once; the forwarded sign of life may be lost harmlessly.
    this.upstreamReady
      .then((link) => link.publish('heartbeat', up.heartbeatFrom(now)))
      .catch((error: unknown) =>
        this.log.warn('heartbeat not forwarded', { chargerId: this.chargerId, error: String(error) }),
      );
    return { currentTime: now.toISOString() };
  }

  private onCloudMessage(kind: CloudTopicKind, payload: unknown): void {
    // An answer a charger's CALL waits for, else a request for the charger.
    this.metrics.cloudMessages++;
    if (!this.answers.deliver(kind, payload)) this.commands.handle(kind, payload);
  }
}
