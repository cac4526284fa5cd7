import { randomUUID } from 'node:crypto';
import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { publishMeterRequest } from '../adapters/publish-meter-request.js';
import { meterRequestTimeoutS, table } from '../config.js';
import { requestMeterReading } from '../sessions.js';

const logger = createLogger('metering-api');

const deps = {
  table,
  publish: publishMeterRequest,
  timeoutS: meterRequestTimeoutS,
  newRequestId: randomUUID,
  now: () => new Date(),
};

/** POST /sessions/{sessionId}/meter-requests → 202 {requestId}; 409 when not active; 404 as GET. */
export const handler = httpHandler({
  logger,
  handler: async (event) =>
    jsonResponse(202, await requestMeterReading(deps, userIdOf(event), event.pathParameters)),
});
