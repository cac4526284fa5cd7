import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { withEtag } from '../etag.js';
import { operatorRoute } from '../operator-route.js';
import { listSessions } from '../sessions.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/sessions: active sessions first, then the most recent, with energy, cost and stop reason. */
export const handler = operatorRoute(logger, async (event) =>
  withEtag(event, jsonResponse(200, { sessions: await listSessions(table, new Date()) })),
);
