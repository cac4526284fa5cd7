import { chargerIdSchema, uuidSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { readCommand } from '../commands.js';
import { table } from '../config.js';
import { operatorRoute, pathParameter } from '../operator-route.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/chargers/{chargerId}/commands/{requestId}: the command and, once it came, the answer. */
export const handler = operatorRoute(logger, async (event) =>
  jsonResponse(
    200,
    await readCommand(
      { table, now: () => new Date() },
      pathParameter(event, 'chargerId', chargerIdSchema),
      pathParameter(event, 'requestId', uuidSchema),
    ),
  ),
);
