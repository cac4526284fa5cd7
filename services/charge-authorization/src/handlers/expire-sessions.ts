import { createLogger, scheduleHandler } from '@evcharge/middleware';
import { table } from '../config.js';
import { connectionTimeoutS } from '../session-config.js';
import { expireDueSessions } from '../store.js';

const logger = createLogger('charge-authorization');

/**
 * Scheduled every minute: the one connection-timeout mechanism. Authorized sessions never plugged
 * within the timeout become Expired and free their connector and tag. Idempotent; errors are
 * rethrown so the on-failure destination keeps the failed run (no retry: the next minute's run picks them up).
 */
export const handler = scheduleHandler({
  logger,
  handler: async (): Promise<{ due: number; expired: number; skipped: number }> => {
    const { due, expired, skipped } = await expireDueSessions(table, { now: new Date(), connectionTimeoutS });
    if (due > 0) logger.info('session expiry sweep', { due, expired, skipped });
    return { due, expired, skipped };
  },
});
