import { assertDeviceTimeBelievable, statusEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { recordStatus } from '../store.js';

const logger = createLogger('status');

/** `chargers/+/status` (OCPP StatusNotification): the connector's (or, for 0, the charger's) status and a sign of life. */
export const handler = iotHandler({
  schema: statusEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const result = await recordStatus(table, {
      chargerId: event.chargerId,
      connectorId: event.connectorId,
      messageId: event.messageId,
      status: event.status,
      errorCode: event.errorCode,
      info: event.info,
      vendorId: event.vendorId,
      vendorErrorCode: event.vendorErrorCode,
      at: event.at,
      receivedAt: event.receivedAt,
    });
    if (result.outcome !== 'applied') logger.info('status not applied', { ...result });
    if (result.outcome === 'applied' && result.fault === 'raised') {
      logger.warn('connector faulted', { connectorId: event.connectorId, errorCode: event.errorCode });
    }
    return result;
  },
});
