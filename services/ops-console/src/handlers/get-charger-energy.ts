import { chargerIdSchema } from '@evcharge/domain';
import { createLogger, jsonResponse } from '@evcharge/middleware';
import { table } from '../config.js';
import { withEtag } from '../etag.js';
import { operatorRoute, pathParameter } from '../operator-route.js';
import { energyHoursRange } from '../rules.js';
import { readChargerEnergy } from '../sessions.js';

const logger = createLogger('ops-console-read');

/** GET /ops/api/chargers/{chargerId}/energy?from&to: the charger's hourly energy (telemetry's aggregates). */
export const handler = operatorRoute(logger, async (event) => {
  const chargerId = pathParameter(event, 'chargerId', chargerIdSchema);
  const { fromHour, toHour } = energyHoursRange(event.queryStringParameters ?? {}, new Date());
  const hours = await readChargerEnergy(table, chargerId, fromHour, toHour);
  return withEtag(event, jsonResponse(200, { chargerId, from: fromHour, to: toHour, hours }));
});
