import type {
  CloudTopicKind,
  CommandPayload,
  DeviceTopicKind,
  MeterRequestPayload,
  RemoteStartPayload,
  RemoteStopPayload,
} from '@evcharge/domain';
import type { Logger } from './log.js';
import * as down from './mapping/cloud-to-charger.js';
import type { OcppConnection } from './ocpp/connection.js';

interface PendingTrigger {
  requestId: string;
  until: number;
}

/** Cloud → charger: requests from the cloud become CALLs to the charger, its answers go back up. */
export class ChargerCommands {
  /** connectorId → the meter/request whose triggered MeterValues should echo its requestId. */
  private readonly pendingTriggers = new Map<number, PendingTrigger>();

  constructor(
    private readonly chargerId: string,
    private readonly connection: Pick<OcppConnection, 'call'>,
    private readonly publish: (kind: DeviceTopicKind, payload: object) => Promise<void>,
    private readonly triggerWindowMs: number,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  handle(kind: CloudTopicKind, payload: unknown): void {
    const now = this.clock();
    switch (kind) {
      case 'meterRequest': {
        const request = payload as MeterRequestPayload;
        this.pendingTriggers.set(request.connectorId, {
          requestId: request.requestId,
          until: now.getTime() + this.triggerWindowMs,
        });
        void this.call([down.triggerCallFrom(request)], `meter/request ${request.requestId}`);
        return;
      }
      case 'remoteStart':
      case 'remoteStop': {
        const request = payload as RemoteStartPayload | RemoteStopPayload;
        if (down.hasExpired(request, now)) {
          this.dropExpired(kind, request.requestId);
          return;
        }
        const call =
          kind === 'remoteStart'
            ? down.remoteStartCallFrom(request as RemoteStartPayload)
            : down.remoteStopCallFrom(request as RemoteStopPayload);
        void this.call([call], `${kind} ${request.requestId}`, async (conf) => {
          const { status } = conf as { status: 'Accepted' | 'Rejected' };
          await this.publish(
            'remoteResponse',
            down.remoteResponseFrom(request.requestId, { status }, this.clock()),
          );
        });
        return;
      }
      case 'command': {
        const command = payload as CommandPayload;
        if (down.hasExpired(command, now)) {
          this.dropExpired(kind, command.requestId);
          return;
        }
        void this.call(
          [down.commandCallFrom(command)],
          `command ${command.requestId}`,
          async (conf) => {
            const response = down.commandResponseFrom(
              command.requestId,
              conf as Record<string, unknown>,
              this.clock(),
            );
            await this.publish('commandResponse', response);
          },
          async (errorCode) => {
            const response = down.commandResponseForCallError(command.requestId, errorCode, this.clock());
            if (response) await this.publish('commandResponse', response);
          },
        );
        return;
      }
      default:
        // A late answer (after its CALL timed out) or a duplicate: nobody waits for it.
        this.log.info('cloud message with no waiting call', { chargerId: this.chargerId, kind });
    }
  }

  /** The requestId a MeterValues of this connector answers, while its trigger's window is open. */
  pendingTriggerOf(connectorId: number): string | undefined {
    const trigger = this.pendingTriggers.get(connectorId);
    return trigger && trigger.until > this.clock().getTime() ? trigger.requestId : undefined;
  }

  triggerAnswered(connectorId: number): void {
    this.pendingTriggers.delete(connectorId);
  }

  /**
   * CALLs to the charger, in order; ocpp-rpc keeps one outstanding per charger (callConcurrency 1) and queues
   * the rest in order, each with the call timeout.
   */
  async call(
    calls: down.OcppCall[],
    purpose: string,
    onResult?: (conf: unknown) => Promise<void>,
    onCallError?: (errorCode: string) => Promise<void>,
  ): Promise<void> {
    for (const call of calls) {
      try {
        const conf = await this.connection.call(call.action, call.payload);
        await onResult?.(conf);
      } catch (error) {
        const errorCode = (error as { rpcErrorCode?: string }).rpcErrorCode;
        this.log.warn('call to the charger failed', {
          chargerId: this.chargerId,
          action: call.action,
          purpose,
          error: error instanceof Error ? error.message : String(error),
        });
        if (errorCode) await onCallError?.(errorCode).catch(() => undefined);
      }
    }
  }

  private dropExpired(kind: CloudTopicKind, requestId: string): void {
    this.log.info('expired cloud request dropped', { chargerId: this.chargerId, kind, requestId });
  }
}
