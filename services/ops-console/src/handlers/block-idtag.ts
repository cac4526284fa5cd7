import { idTagSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { operatorRoute, pathParameter } from '../operator-route.js';
import { blockTag } from '../registry.js';

const logger = createLogger('ops-console-actions');

/** POST /ops/api/idtags/{idTag}/block: the tag authorizes no new session. */
export const handler = operatorRoute(logger, async (event, operatorId) =>
  jsonResponse(
    200,
    await blockTag({ table, now: () => new Date() }, operatorId, pathParameter(event, 'idTag', idTagSchema)),
  ),
);
