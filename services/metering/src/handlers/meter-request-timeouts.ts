import { createLogger, scheduleHandler } from '@evcharge/middleware';
import { table } from '../config.js';
import { resolveTimedOutMeterRequests, type TimeoutReport } from '../meter-request-timeouts.js';
import { resolveTimedOutRemoteRequests } from '../remote-requests.js';

const logger = createLogger('metering-timeouts');

/**
 * Scheduled every minute: unanswered meter requests past their deadline become unavailable, and unanswered
 * remote starts/stops time out. Precision is the schedule rate (30–90 s after the request with the defaults);
 * the timer messages are the precise path. Errors propagate, and the next run picks up whatever is still due.
 */
export const handler = scheduleHandler({
  logger,
  handler: async (): Promise<TimeoutReport> => {
    const now = new Date();
    // Independent kinds of deadline: swept side by side.
    const [meter, remote] = await Promise.all([
      resolveTimedOutMeterRequests(table, now),
      resolveTimedOutRemoteRequests(table, now),
    ]);
    if (meter.due > 0) logger.info('meter requests past their deadline', { ...meter });
    if (remote.due > 0) logger.info('remote requests past their deadline', { ...remote });
    return { due: meter.due + remote.due, resolved: meter.resolved + remote.resolved };
  },
});
