import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { table } from '../config.js';
import { getSessionStatus } from '../sessions.js';

const logger = createLogger('metering-api');

/** GET /sessions/{sessionId}: the charging status; 404 for a missing session and for someone else's. */
export const handler = httpHandler({
  logger,
  handler: async (event) =>
    jsonResponse(200, await getSessionStatus(table, userIdOf(event), event.pathParameters)),
});
