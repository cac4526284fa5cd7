import { randomUUID } from 'node:crypto';
import type { Logger } from '@evcharge/middleware';
import { sendRequestTimer } from './adapters/send-request-timer.js';
import { remoteRequestTimeoutS, remoteRequestTimer, table } from './config.js';
import { armTimerThenPublish, type Publish } from './request-timer.js';

/**
 * What a remote start or stop route needs: its publish runs once the pending request is committed, so the
 * request's timer is armed there first, then the charger is asked.
 */
export function remoteRequestDeps<Payload extends { requestId: string }>(
  publishToCharger: Publish<Payload>,
  logger: Logger,
) {
  const timer = { ...remoteRequestTimer, send: sendRequestTimer, logger };
  return {
    table,
    publish: armTimerThenPublish(timer, publishToCharger, (chargerId, payload) => ({
      chargerId,
      requestId: payload.requestId,
    })),
    timeoutS: remoteRequestTimeoutS,
    newRequestId: randomUUID,
    now: () => new Date(),
  };
}
