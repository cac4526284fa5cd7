import { createLogger, sqsBatchHandler } from '@evcharge/middleware';
import { table } from '../config.js';
import { resolveTimedOutMeterRequest } from '../meter-request-timeouts.js';
import { resolveTimedOutRemoteRequest } from '../remote-requests.js';
import { parseRequestTimer } from '../request-timer.js';

const logger = createLogger('metering-timeouts');

/**
 * SQS (ReportBatchItemFailures): each message is a request's timer, delivered at its deadline: a meter request
 * still pending becomes unavailable, a remote start/stop still pending times out; an answered one, or a second
 * delivery, changes nothing. A message that fails comes back after the visibility timeout; after
 * maxReceiveCount SQS moves it to the DLQ (and the scheduled sweeper still resolves its request).
 */
export const handler = sqsBatchHandler({
  logger,
  record: async (record) => {
    const parsed = parseRequestTimer(record.body);
    const now = new Date();
    const timedOut =
      parsed.kind === 'meter-request'
        ? await resolveTimedOutMeterRequest(table, parsed.timer, now)
        : await resolveTimedOutRemoteRequest(table, parsed.timer, now);
    if (timedOut) logger.info('request timed out', { kind: parsed.kind, body: record.body });
  },
});
