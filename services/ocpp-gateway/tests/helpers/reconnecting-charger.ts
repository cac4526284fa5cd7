import WebSocket from 'ws';
import { type ConnectOptions, type Frame, handshake, OcppTestCharger } from './ocpp-client.js';

// A charge point that behaves like a real one through an outage (frames still written from the specification):
// it reconnects when its socket drops, retries transaction-related messages until they are answered
// (TransactionMessageAttempts), never retries a StatusNotification, and answers TriggerMessage
// StatusNotification with the current status of every connector.

export type CallOutcome = { answer: Frame } | { closed: true };

export class ReconnectingCharger {
  /** connectorId → its current OCPP status, as the charger knows it. */
  readonly statuses = new Map<number, string>();
  /** Every reply this charger received, with the action of its CALL. */
  readonly outcomes: { action: string; outcome: CallOutcome }[] = [];
  readonly triggersReceived: Frame[] = [];
  private current: OcppTestCharger | undefined;
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly credentials: ConnectOptions,
    connectorIds: number[],
  ) {
    for (const connectorId of connectorIds) this.statuses.set(connectorId, 'Available');
  }

  /** The open connection, reconnecting (every 200 ms) while the socket is gone. */
  async connection(): Promise<OcppTestCharger> {
    while (!this.closing) {
      if (this.current && this.current.socket.readyState === WebSocket.OPEN) return this.current;
      const result = await handshake(this.url, this.credentials).catch(() => undefined);
      if (result?.socket) {
        const charger = new OcppTestCharger(result.socket);
        charger.answerCall = (action, payload) => this.answerCall(action, payload);
        this.current = charger;
        return charger;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('charger closed');
  }

  /** One attempt: the reply, or `closed` when the socket dropped first. */
  async callOnce(action: string, payload: unknown): Promise<CallOutcome> {
    const charger = await this.connection();
    const outcome: CallOutcome = await charger.call(action, payload, undefined, 30_000).then(
      (answer) => ({ answer }),
      () => ({ closed: true }),
    );
    this.outcomes.push({ action, outcome });
    return outcome;
  }

  /** A transaction-related message: sent again until it is answered with a CALLRESULT. */
  async callUntilAnswered(action: string, payload: unknown, retryMs = 300): Promise<Frame> {
    for (;;) {
      const outcome = await this.callOnce(action, payload);
      if ('answer' in outcome && outcome.answer[0] === 3) return outcome.answer;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  /** A status change, sent once (chargers do not retry these). */
  setStatus(connectorId: number, status: string): Promise<CallOutcome> {
    this.statuses.set(connectorId, status);
    return this.callOnce('StatusNotification', this.statusOf(connectorId));
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.current?.close();
  }

  private statusOf(connectorId: number) {
    return {
      connectorId,
      errorCode: 'NoError',
      status: this.statuses.get(connectorId),
      timestamp: new Date().toISOString(),
    };
  }

  private answerCall(action: string, payload: Record<string, unknown>): unknown {
    if (action === 'TriggerMessage' && payload.requestedMessage === 'StatusNotification') {
      this.triggersReceived.push([2, '', action, payload]);
      const connectorIds =
        typeof payload.connectorId === 'number' ? [payload.connectorId] : [...this.statuses.keys()];
      // After the TriggerMessage.conf is on the wire (OCPP 1.6, 5.17).
      setImmediate(() => {
        for (const connectorId of connectorIds)
          void this.callOnce('StatusNotification', this.statusOf(connectorId));
      });
    }
    return { status: 'Accepted' };
  }
}
