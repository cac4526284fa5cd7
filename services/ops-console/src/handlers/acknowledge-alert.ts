import { alertKinds, chargerIdSchema, pure } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import * as z from 'zod/mini';
import { table } from '../config.js';
import { operatorRoute, pathParameter } from '../operator-route.js';
import { acknowledgeAlert } from '../registry.js';

const logger = createLogger('ops-console-actions');
const kindSchema = /* @__PURE__ */ pure(() => z.enum(alertKinds));

/** POST /ops/api/alerts/{chargerId}/{kind}/acknowledge: marks the alert seen by this operator. */
export const handler = operatorRoute(logger, async (event, operatorId) =>
  jsonResponse(
    200,
    await acknowledgeAlert(
      { table, now: () => new Date() },
      operatorId,
      pathParameter(event, 'chargerId', chargerIdSchema),
      pathParameter(event, 'kind', kindSchema),
    ),
  ),
);
