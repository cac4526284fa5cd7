import { createLogger, scheduleHandler } from '@evcharge/middleware';
import { liveness, sweepAllowanceS, table } from '../config.js';
import { sweepOfflineChargers } from '../store.js';

const logger = createLogger('sweeper');
const SWEEP_RESERVE_MS = 4_000;

/** Every minute: online chargers past their deadline (plus the allowance) go offline or are re-armed; reads ∝ due chargers. */
export const handler = scheduleHandler({
  logger,
  handler: async (_event, context) => {
    // Leave time to finish the round in progress; the next run picks up whatever is left.
    const stopBy = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SWEEP_RESERVE_MS);
    const sweep = await sweepOfflineChargers(table, Date.now(), {
      stopBy,
      allowanceS: sweepAllowanceS,
      settings: liveness,
    });
    if (sweep.due > 0) logger.info('offline sweep', { ...sweep });
    return sweep;
  },
});
