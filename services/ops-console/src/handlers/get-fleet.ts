import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { withEtag } from '../etag.js';
import { readFleet } from '../fleet.js';
import { operatorRoute } from '../operator-route.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/fleet: every charger, its connectors and alerts; 304 when nothing changed (If-None-Match). */
export const handler = operatorRoute(logger, async (event) =>
  withEtag(event, jsonResponse(200, await readFleet(table, new Date()))),
);
