import { randomUUID } from 'node:crypto';
import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { publishMeterRequest } from '../adapters/publish-meter-request.js';
import { sendRequestTimer } from '../adapters/send-request-timer.js';
import { meterRequestTimeoutS, meterRequestTimer, table } from '../config.js';
import { armTimerThenPublish } from '../request-timer.js';
import { requestMeterReading } from '../sessions.js';

const logger = createLogger('metering-api');

const deps = {
  table,
  timeoutS: meterRequestTimeoutS,
  newRequestId: randomUUID,
  now: () => new Date(),
};
const timer = { ...meterRequestTimer, send: sendRequestTimer, logger };

/** POST /sessions/{sessionId}/meter-requests → 202 {requestId}; 409 when not active; 404 as GET. */
export const handler = httpHandler({
  logger,
  handler: async (event) => {
    // requestMeterReading validates the path (and finds the session) before it publishes.
    const { sessionId } = (event.pathParameters ?? {}) as { sessionId: string };
    // The publish runs once the pending request is committed: arm its timer there, then ask the charger.
    const publish = armTimerThenPublish(timer, publishMeterRequest, (_chargerId, payload) => ({
      sessionId,
      requestId: payload.requestId,
    }));
    return jsonResponse(
      202,
      await requestMeterReading({ ...deps, publish }, userIdOf(event), event.pathParameters),
    );
  },
});
