import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { table } from '../config.js';
import { listMySessions } from '../sessions.js';

const logger = createLogger('metering-api');

/** GET /me/sessions: the caller's sessions, newest first. */
export const handler = httpHandler({
  logger,
  handler: async (event) => jsonResponse(200, await listMySessions(table, userIdOf(event))),
});
