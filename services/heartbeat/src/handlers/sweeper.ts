import { classifyErrors, createLogger } from '@evcharge/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sweepAllowanceS, table } from '../config.js';
import { sweepOfflineChargers } from '../store.js';

const logger = createLogger('sweeper');
const SWEEP_RESERVE_MS = 4_000;

/** Every minute: online chargers past their offline deadline (plus the allowance) go offline; reads ∝ due chargers. */
export const handler = middy()
  .use(classifyErrors({ logger }))
  .handler(async (_event: unknown, context: Context) => {
    // Leave time to finish the round in progress; the next run picks up whatever is left.
    const stopBy = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SWEEP_RESERVE_MS);
    const sweep = await sweepOfflineChargers(table, Date.now(), { stopBy, allowanceS: sweepAllowanceS });
    if (sweep.due > 0) logger.info('offline sweep', { ...sweep });
    return sweep;
  });
