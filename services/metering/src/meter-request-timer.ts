import type { Logger } from '@evcharge/middleware';
import type { PublishMeterRequest } from './adapters/publish-meter-request.js';
import type { SendMeterRequestTimer } from './adapters/send-meter-request-timer.js';

export interface TimerDeps {
  queueUrl: string | undefined;
  /** Undefined when the timeout is longer than SQS can delay: the sweeper alone resolves it. */
  delayS: number | undefined;
  send: SendMeterRequestTimer;
  logger: Pick<Logger, 'warn'>;
}

/**
 * Wraps the charger publish that requestMeterReading makes after it committed the pending request: first
 * the request's timer (SQS, delivered at its deadline), then the publish, so a failed publish still times
 * out on time. A timer that cannot be sent is logged, not thrown: the request is recorded and the charger
 * can still answer, and the scheduled sweeper resolves it late (within one rate) if it does not.
 */
export function armTimerThenPublish(
  timer: TimerDeps,
  publish: PublishMeterRequest,
  pathParameters: unknown,
): PublishMeterRequest {
  // requestMeterReading has validated the path (and found the session) before it publishes.
  const { sessionId } = (pathParameters ?? {}) as { sessionId: string };
  return async (chargerId, payload) => {
    if (timer.delayS !== undefined) {
      const { queueUrl, delayS } = timer;
      const sent = queueUrl
        ? timer.send(queueUrl, { sessionId, requestId: payload.requestId }, delayS)
        : Promise.reject(new Error('METER_REQUEST_TIMER_QUEUE_URL is not set'));
      await sent.catch((error: unknown) =>
        timer.logger.warn('meter request timer not armed; the sweeper resolves the request', { error }),
      );
    }
    await publish(chargerId, payload);
  };
}
