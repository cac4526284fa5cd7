import { chargerIdSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { iotData } from '../adapters/iot-data.js';
import { sendCommand } from '../commands.js';
import { table } from '../config.js';
import { jsonBodyOf, operatorRoute, pathParameter } from '../operator-route.js';

const logger = createLogger('ops-console-actions');
const deps = { table, iotData, now: () => new Date() };

/** POST /ops/api/chargers/{chargerId}/commands {action, payload, timeoutS?} → 202 the pending command. */
export const handler = operatorRoute(logger, async (event, operatorId) => {
  const chargerId = pathParameter(event, 'chargerId', chargerIdSchema);
  return jsonResponse(202, await sendCommand(deps, operatorId, chargerId, jsonBodyOf(event)));
});
