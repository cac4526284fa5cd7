import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { withEtag } from '../etag.js';
import { operatorRoute } from '../operator-route.js';
import { readEnergy } from '../sessions.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/energy: delivered energy per hour over the last day, fleet and per site. */
export const handler = operatorRoute(logger, async (event) =>
  withEtag(event, jsonResponse(200, await readEnergy(table, new Date()))),
);
