import { isClockSkewed, plugEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { recordPlugEvent } from '../store.js';

const logger = createLogger('plug-events');

/** `chargers/+/plug`: drives the connector state machine and bounds the connector's session. */
export const handler = iotHandler({
  schema: plugEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    if (isClockSkewed(event.at, event.receivedAt)) {
      logger.warn('charger clock skewed beyond 5 minutes', { at: event.at, receivedAt: event.receivedAt });
    }
    const result = await recordPlugEvent(table, {
      chargerId: event.chargerId,
      connectorId: event.connectorId,
      messageId: event.messageId,
      event: event.event,
      at: event.at,
      receivedAt: event.receivedAt,
    });
    if (result.outcome !== 'applied') logger.info('plug event not applied', { ...result });
    if (result.outcome !== 'duplicate' && result.idTagCountWasZero) {
      logger.warn('idTag activeSessionCount was already 0 when its session completed');
    }
    return result;
  },
});
