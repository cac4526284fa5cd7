import { assertDeviceTimeBelievable, transactionStartEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';
import { table } from '../config.js';
import { transactionStartResponseOf } from '../rules.js';
import { tariff } from '../session-config.js';
import { startTransaction } from '../transactions.js';

const logger = createLogger('charge-authorization');

/**
 * chargers/{chargerId}/transaction/start (OCPP StartTransaction) → a transactionId, the session opened (or
 * attached to) and idTagInfo on transaction/start/response. A repeated start is answered from the stored one.
 */
export const handler = iotHandler({
  schema: transactionStartEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const { start, duplicate } = await startTransaction(
      table,
      {
        chargerId: event.chargerId,
        connectorId: event.connectorId,
        idTag: event.idTag,
        meterStart: event.meterStart,
        at: event.at,
        requestId: event.requestId,
        reservationId: event.reservationId,
        receivedAtMs: event.receivedAt,
      },
      { tariff },
    );
    const response = transactionStartResponseOf(event.requestId, start);
    await publishToCharger('transactionStartResponse', event.chargerId, response);
    logger.info('transaction start answered', {
      transactionId: start.transactionId,
      status: start.idTagInfo.status,
      refusal: start.refusal,
      duplicate,
    });
    return response;
  },
});
