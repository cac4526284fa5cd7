import { createLogger, scheduleHandler } from '@evcharge/middleware';
import { table } from '../config.js';
import { resolveTimedOutMeterRequests, type TimeoutReport } from '../meter-request-timeouts.js';

const logger = createLogger('metering-timeouts');

/**
 * Scheduled every minute: unanswered meter requests past their deadline become unavailable. Precision is
 * the schedule rate (a request resolves 30–90 s after it was made with the defaults). Errors propagate,
 * and the next run picks up whatever is still due.
 */
export const handler = scheduleHandler({
  logger,
  handler: async (): Promise<TimeoutReport> => {
    const report = await resolveTimedOutMeterRequests(table, new Date());
    if (report.due > 0) logger.info('meter requests past their deadline', { ...report });
    return report;
  },
});
