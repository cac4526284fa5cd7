import { BadInputError, chargerIdSchema, presenceEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { liveness, table } from '../config.js';
import { presenceEffect, presenceOrderOf } from '../rules.js';
import { applyPresence } from '../store.js';

const logger = createLogger('presence');

/**
 * $aws/events/presence/{connected|disconnected}/{clientId}: IoT Core's own events, so there is no topic
 * identity to check; the client id is the charger id, and an unregistered one is bad input.
 */
export const handler = iotHandler({
  schema: presenceEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    if (!chargerIdSchema.safeParse(event.clientId).success) {
      throw new BadInputError('clientId', 'is not a charger id');
    }
    logger.appendKeys({ chargerId: event.clientId, eventType: event.eventType });
    const effect = presenceEffect(event, liveness);
    const result = await applyPresence(table, event.clientId, presenceOrderOf(event), effect, Date.now());
    logger.info('lifecycle event', { ...result });
    return result;
  },
});
