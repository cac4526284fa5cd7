import { randomUUID } from 'node:crypto';
import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { publishMeterRequest } from '../adapters/publish-meter-request.js';
import { sendMeterRequestTimer } from '../adapters/send-meter-request-timer.js';
import { meterRequestTimeoutS, meterRequestTimer, table } from '../config.js';
import { armTimerThenPublish } from '../meter-request-timer.js';
import { requestMeterReading } from '../sessions.js';

const logger = createLogger('metering-api');

const deps = {
  table,
  timeoutS: meterRequestTimeoutS,
  newRequestId: randomUUID,
  now: () => new Date(),
};
const timer = { ...meterRequestTimer, send: sendMeterRequestTimer, logger };

/** POST /sessions/{sessionId}/meter-requests → 202 {requestId}; 409 when not active; 404 as GET. */
export const handler = httpHandler({
  logger,
  handler: async (event) =>
    jsonResponse(
      202,
      await requestMeterReading(
        // The publish runs once the pending request is committed: arm its timer there, then ask the charger.
        { ...deps, publish: armTimerThenPublish(timer, publishMeterRequest, event.pathParameters) },
        userIdOf(event),
        event.pathParameters,
      ),
    ),
});
