import { listAudit } from '@evcharge/dynamo';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { withEtag } from '../etag.js';
import { operatorRoute } from '../operator-route.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/audit: the operators' actions of today and yesterday, newest first. */
export const handler = operatorRoute(logger, async (event) =>
  withEtag(event, jsonResponse(200, { entries: await listAudit(table, new Date()) })),
);
