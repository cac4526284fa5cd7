import { type CommandAction, commandActions } from '@evcharge/domain';
import ocppRpc from 'ocpp-rpc';
import type { ChargerConfig, ChargerProtocol } from './charger.js';
import { fromOcppResult, type OcppCall, toOcppCall } from './ocpp-calls.js';
import type { DeviceMessage } from './payloads.js';
import { TRANSACTION_MESSAGE_ATTEMPTS, V2Charger } from './v2-charger.js';

// The default import: ocpp-rpc is CommonJS and spreads its symbols into module.exports, which Node's named-export
// detection does not see (NOREPLY).
const { createRPCError, NOREPLY, RPCClient } = ocppRpc;

export const OCPP_SUBPROTOCOL = 'ocpp1.6';

export interface OcppChargerConfig extends ChargerConfig {
  /** The gateway's base URL (`ws://host:port/ocpp`); ocpp-rpc appends `/<chargerId>`. */
  ocppUrl: string;
  /** The charger's AuthorizationKey: the HTTP Basic password, the username being the chargerId. */
  ocppPassword: string;
}

/** The OCPP actions the contract's operator commands name: the v2 logic answers them. */
const isCommandAction = (action: string): action is CommandAction =>
  (commandActions as readonly string[]).includes(action);

/** Simulated seconds between two attempts of a transaction message (OCPP's TransactionMessageRetryInterval). */
const TRANSACTION_RETRY_S = 30;

type RpcClientOptions = ConstructorParameters<typeof RPCClient>[0];

/**
 * A charge point that speaks OCPP 1.6J over WebSocket (ocpp-rpc, strict mode with its 1.6 schemas) to the
 * gateway, with HTTP Basic (security profile 1). Its life is the v2 charger's (boot until Accepted, status for
 * connector 0 and each connector, authorize, start with its transactionId, MeterValues, stop, faults, remote
 * start/stop and commands): only the transport differs. Each contract message becomes the OCPP CALL a charge
 * point sends; the gateway's CALLs are answered in the CALLRESULT, and what follows runs once it is out.
 */
export class OcppCharger extends V2Charger {
  override readonly protocol: ChargerProtocol = 'ocpp';
  private rpc: InstanceType<typeof RPCClient> | undefined;
  private readonly endpoint: { url: string; password: string };
  /** CALLs awaiting their result: a stop lets them finish before closing the socket. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The Transaction.End reading, sent inside StopTransaction's transactionData as a charge point does. */
  private transactionEnd: unknown[] | undefined;

  constructor(config: OcppChargerConfig) {
    super(config);
    this.endpoint = { url: config.ocppUrl, password: config.ocppPassword };
  }

  override async connect(): Promise<void> {
    const { chargerId, timing } = this.config;
    const options = {
      endpoint: this.endpoint.url,
      identity: chargerId,
      password: this.endpoint.password,
      protocols: [OCPP_SUBPROTOCOL],
      strictMode: true,
      callTimeoutMs: timing.authTimeoutMs,
      callConcurrency: 1,
      reconnect: true,
      backoff: { initialDelay: 500, maxDelay: 5_000, factor: 2, randomisationFactor: 0.25 },
    };
    const rpc = new RPCClient(options as RpcClientOptions);
    // The typings want an object back; NOREPLY (a symbol) is how ocpp-rpc leaves a CALL unanswered.
    rpc.handle(
      ({ method, params }) =>
        this.onCall(String(method), (params ?? {}) as Record<string, unknown>) as Promise<
          Record<string, unknown>
        >,
    );
    rpc.on('open', () => {
      if (this.rpc !== rpc) return;
      this.markConnected(true);
      // Reconnected after the gateway dropped the socket: heartbeats go on, as after an MQTT reconnect.
      this.onConnected();
    });
    // Only this socket's events count: disconnect() marks the end of a socket it closes itself.
    const markDown = () => {
      if (this.rpc === rpc) this.markConnected(false);
    };
    rpc.on('disconnect', markDown);
    rpc.on('close', markDown);
    rpc.on('socketError', (error: Error) => this.config.log(`${chargerId} (ocpp): socket: ${error.message}`));
    this.rpc = rpc;
    try {
      await rpc.connect();
    } catch (error) {
      this.rpc = undefined;
      const status = (error as { code?: number }).code;
      throw new Error(
        `OCPP handshake refused${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`,
      );
    }
    if (rpc.protocol !== OCPP_SUBPROTOCOL) {
      await rpc.close({ force: true });
      this.rpc = undefined;
      throw new Error(`the gateway did not agree on ${OCPP_SUBPROTOCOL}`);
    }
  }

  protected override async disconnect(): Promise<void> {
    await super.disconnect(); // stops the heartbeats (there is no MQTT client)
    const rpc = this.rpc;
    if (!rpc) return;
    this.rpc = undefined;
    await Promise.allSettled([...this.inFlight]);
    await rpc.close({ awaitPending: true }).catch(() => rpc.close({ force: true }));
    this.markConnected(false);
  }

  /** Flapping: the WebSocket dies without a close frame; the gateway then loses the charger's MQTT link too. */
  protected override async dropUncleanly(): Promise<void> {
    await super.dropUncleanly(); // stops the heartbeats (there is no MQTT client)
    const rpc = this.rpc;
    if (!rpc) return;
    this.rpc = undefined;
    this.markConnected(false);
    await rpc.close({ force: true }).catch(() => undefined);
  }

  /** A contract message goes out as its OCPP CALL; the Transaction.End reading waits for StopTransaction. */
  protected override async send(message: DeviceMessage): Promise<void> {
    const call = toOcppCall(message);
    if (!call) {
      this.config.log(`${this.chargerId} (ocpp): ${message.kind} has no OCPP action, not sent`);
      return;
    }
    if (isTransactionEnd(call)) {
      this.transactionEnd = call.params.meterValue as unknown[];
      return;
    }
    await this.call(call);
  }

  /**
   * A request is a CALL whose result the v2 logic reads; transaction messages are attempted up to
   * TRANSACTION_MESSAGE_ATTEMPTS times, TRANSACTION_RETRY_S apart (simulated), as OCPP has a charger do.
   */
  protected override async request<Answer>(
    _requestId: string,
    message: DeviceMessage,
    options: { attempts?: number } = {},
  ): Promise<Answer | undefined> {
    const call = toOcppCall(message);
    if (!call) return undefined;
    if (call.action === 'StopTransaction' && this.transactionEnd) {
      call.params.transactionData = [...this.transactionEnd];
      this.transactionEnd = undefined;
    }
    const attempts = Math.min(options.attempts ?? 1, TRANSACTION_MESSAGE_ATTEMPTS);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1 && !(await this.sleepS(TRANSACTION_RETRY_S, { evenIfStopping: true }))) break;
      const result = await this.call(call);
      if (result !== undefined) return fromOcppResult(call.action, result) as Answer;
    }
    return undefined;
  }

  /** One CALL; undefined (and counted as an error) on a CALLERROR, a timeout or a lost socket. */
  private async call(call: OcppCall): Promise<unknown> {
    const rpc = this.rpc;
    // Offline or reconnecting: nothing goes out, as with an MQTT charger whose link is down.
    if (!rpc || rpc.state !== RPCClient.OPEN) return undefined;
    const { stats } = this.config;
    stats.ocpp.callsSent[call.action] = (stats.ocpp.callsSent[call.action] ?? 0) + 1;
    const pending = rpc.call(call.action, call.params);
    this.inFlight.add(pending);
    try {
      return (await pending) ?? {};
    } catch (error) {
      stats.ocpp.callErrors++;
      const code = (error as { rpcErrorCode?: string }).rpcErrorCode;
      this.error(`${call.action} failed: ${code ? `${code} ` : ''}${(error as Error).message}`);
      return undefined;
    } finally {
      this.inFlight.delete(pending);
    }
  }

  /** A CALL from the gateway: answered here; what it sets off runs once the answer is on the wire. */
  private async onCall(action: string, params: Record<string, unknown>): Promise<unknown> {
    const { stats } = this.config;
    stats.ocpp.callsReceived[action] = (stats.ocpp.callsReceived[action] ?? 0) + 1;
    // A silent charger leaves the CALL unanswered, for the gateway's timeout to handle.
    if (this.silent) return NOREPLY;
    switch (action) {
      case 'RemoteStartTransaction': {
        const started = this.acceptRemoteStart(Number(params.connectorId ?? 1), String(params.idTag));
        return { status: started ? 'Accepted' : 'Rejected' };
      }
      case 'RemoteStopTransaction':
        return { status: this.acceptRemoteStop(Number(params.transactionId)) ? 'Accepted' : 'Rejected' };
    }
    if (!isCommandAction(action)) throw createRPCError('NotSupported', `${action} is not supported here`);
    stats.commands[action]++;
    const { status, payload, afterAnswer } = this.execute({ action, payload: params });
    if (afterAnswer) {
      // ocpp-rpc writes the CALLRESULT once this handler's promise settles, before the next macrotask.
      setImmediate(() => {
        Promise.resolve()
          .then(afterAnswer)
          .catch((error: unknown) => this.error(`${action}: ${String(error)}`));
      });
    }
    return action === 'GetConfiguration' ? (payload ?? { configurationKey: [] }) : { status };
  }
}

/** A MeterValues CALL that carries only the transaction's final reading. */
function isTransactionEnd(call: OcppCall): boolean {
  if (call.action !== 'MeterValues') return false;
  const meterValue = call.params.meterValue as { sampledValue: { context?: string }[] }[];
  return meterValue.every((value) =>
    value.sampledValue.every((sample) => sample.context === 'Transaction.End'),
  );
}
