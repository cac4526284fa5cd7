import { chargerIdSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { operatorRoute, pathParameter } from '../operator-route.js';
import { commission } from '../registry.js';

const logger = createLogger('ops-console-actions');

/** POST /ops/api/chargers/{chargerId}/commission: its next BootNotification is answered Accepted. */
export const handler = operatorRoute(logger, async (event, operatorId) => {
  const chargerId = pathParameter(event, 'chargerId', chargerIdSchema);
  const { alreadyAccepted } = await commission({ table, now: () => new Date() }, operatorId, chargerId);
  return jsonResponse(200, { chargerId, registrationStatus: 'Accepted', alreadyAccepted });
});
