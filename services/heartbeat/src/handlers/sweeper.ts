import { sweepOfflineChargers } from '@evcharge/dynamo';
import { classifyErrors, createLogger } from '@evcharge/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { table } from '../config.js';

const logger = createLogger('sweeper');
const SWEEP_RESERVE_MS = 4_000;

/** Every minute: online chargers whose offline deadline has passed go offline (read cost ∝ due chargers). */
export const handler = middy()
  .use(classifyErrors({ logger }))
  .handler(async (_event: unknown, context: Context) => {
    // Leave time to finish the round in progress; the next run picks up whatever is left.
    const stopBy = Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SWEEP_RESERVE_MS);
    const sweep = await sweepOfflineChargers(table, Date.now(), { stopBy });
    if (sweep.due > 0) logger.info('offline sweep', { ...sweep });
    return sweep;
  });
