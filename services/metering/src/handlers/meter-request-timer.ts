import { createLogger, sqsBatchHandler } from '@evcharge/middleware';
import { table } from '../config.js';
import { parseMeterRequestTimer, resolveTimedOutMeterRequest } from '../meter-request-timeouts.js';

const logger = createLogger('metering-timeouts');

/**
 * SQS (ReportBatchItemFailures): each message is a request's timer, delivered at its deadline. A still
 * pending request becomes unavailable; an answered one, or a second delivery, changes nothing. A message
 * that fails comes back after the visibility timeout; after maxReceiveCount SQS moves it to the DLQ
 * (and the scheduled sweeper still resolves its request).
 */
export const handler = sqsBatchHandler({
  logger,
  record: async (record) => {
    const timedOut = await resolveTimedOutMeterRequest(
      table,
      parseMeterRequestTimer(record.body),
      new Date(),
    );
    if (timedOut) logger.info('meter request timed out', { body: record.body });
  },
});
