import { uuidSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { operatorRoute, pathParameter } from '../operator-route.js';
import { getSessionDetail } from '../sessions.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/sessions/{sessionId}: any user's session (operators see all) with its readings. */
export const handler = operatorRoute(logger, async (event) =>
  jsonResponse(200, await getSessionDetail(table, pathParameter(event, 'sessionId', uuidSchema), new Date())),
);
