import {
  BadInputError,
  type MeterRequest,
  meterRequestSchema,
  parseOrThrow,
  pure,
  type RemoteRequest,
  remoteRequestSchema,
} from '@evcharge/domain';
import type { Logger } from '@evcharge/middleware';
import * as z from 'zod/mini';

// One timer queue for every request that waits for a charger (meter requests, remote start/stop): each
// request's message is delayed by its timeout and names the request it resolves, by the request's own key.

/** A meter request's timer: its session and requestId. */
export const meterRequestTimerSchema = /* @__PURE__ */ pure(() =>
  z.catchall(z.pick(meterRequestSchema, { sessionId: true, requestId: true }), z.never()),
);
export type MeterRequestTimer = Pick<MeterRequest, 'sessionId' | 'requestId'>;

/** A remote start/stop's timer: its charger and requestId. */
export const remoteRequestTimerSchema = /* @__PURE__ */ pure(() =>
  z.catchall(z.pick(remoteRequestSchema, { chargerId: true, requestId: true }), z.never()),
);
export type RemoteRequestTimer = Pick<RemoteRequest, 'chargerId' | 'requestId'>;

export type RequestTimer = MeterRequestTimer | RemoteRequestTimer;

export type ParsedRequestTimer =
  | { kind: 'meter-request'; timer: MeterRequestTimer }
  | { kind: 'remote-request'; timer: RemoteRequestTimer };

/** Parses a timer message body; a malformed one is a BadInputError naming the field. */
export function parseRequestTimer(body: string): ParsedRequestTimer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadInputError('(body)', 'must be JSON');
  }
  // A remote request is keyed by its charger; a meter request (the original shape, no kind) by its session.
  if (typeof parsed === 'object' && parsed !== null && 'chargerId' in parsed) {
    return { kind: 'remote-request', timer: parseOrThrow(remoteRequestTimerSchema, parsed) };
  }
  return { kind: 'meter-request', timer: parseOrThrow(meterRequestTimerSchema, parsed) };
}

/** Sends a timer message, visible after delayS (adapters/send-request-timer.ts). */
export type SendRequestTimer = (queueUrl: string, timer: RequestTimer, delayS: number) => Promise<void>;

export interface TimerDeps {
  queueUrl: string | undefined;
  /** Undefined when the timeout is longer than SQS can delay: the sweeper alone resolves it. */
  delayS: number | undefined;
  send: SendRequestTimer;
  logger: Pick<Logger, 'warn'>;
}

export type Publish<Payload> = (chargerId: string, payload: Payload) => Promise<void>;

/**
 * Wraps the charger publish a request makes after it committed the pending request: first the request's
 * timer (SQS, delivered at its deadline), then the publish, so a failed publish still times out on time. A
 * timer that cannot be sent is logged, not thrown: the request is recorded and the charger can still answer,
 * and the scheduled sweeper resolves it late (within one rate) if it does not.
 */
export function armTimerThenPublish<Payload extends { requestId: string }>(
  timer: TimerDeps,
  publish: Publish<Payload>,
  timerOf: (chargerId: string, payload: Payload) => RequestTimer,
): Publish<Payload> {
  return async (chargerId, payload) => {
    if (timer.delayS !== undefined) {
      const { queueUrl, delayS } = timer;
      const sent = queueUrl
        ? timer.send(queueUrl, timerOf(chargerId, payload), delayS)
        : Promise.reject(new Error('METER_REQUEST_TIMER_QUEUE_URL is not set'));
      await sent.catch((error: unknown) =>
        timer.logger.warn('request timer not armed; the sweeper resolves the request', { error }),
      );
    }
    await publish(chargerId, payload);
  };
}
