import { assertDeviceTimeBelievable, transactionStopEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';
import { table } from '../config.js';
import { transactionStopResponseOf } from '../rules.js';
import { stopTransaction } from '../transactions.js';

const logger = createLogger('charge-authorization');

/**
 * chargers/{chargerId}/transaction/stop (OCPP StopTransaction) → the session Completed, answered on
 * transaction/stop/response. Always answered, even a repeat or an unknown transactionId (an orphan, kept).
 */
export const handler = iotHandler({
  schema: transactionStopEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const { outcome, idTagInfo, sessionId } = await stopTransaction(table, {
      chargerId: event.chargerId,
      transactionId: event.transactionId,
      meterStop: event.meterStop,
      at: event.at,
      reason: event.reason,
      idTag: event.idTag,
      requestId: event.requestId,
      receivedAtMs: event.receivedAt,
    });
    const response = transactionStopResponseOf(event.requestId, idTagInfo, new Date());
    await publishToCharger('transactionStopResponse', event.chargerId, response);
    // Raising orphans to operators (transaction.orphan) is the notifications service's part; here it is kept.
    if (outcome === 'orphan') logger.warn('orphan transaction stop', { transactionId: event.transactionId });
    else logger.info('transaction stop answered', { transactionId: event.transactionId, outcome, sessionId });
    return response;
  },
});
