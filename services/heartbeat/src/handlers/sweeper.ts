import { sweepOfflineChargers } from '@evcharge/dynamo';
import { classifyErrors, createLogger } from '@evcharge/middleware';
import middy from '@middy/core';
import { table } from '../config.js';

const logger = createLogger('sweeper');

/** Every minute: online chargers whose offline deadline has passed go offline (read cost ∝ due chargers). */
export const handler = middy()
  .use(classifyErrors({ logger }))
  .handler(async () => {
    const sweep = await sweepOfflineChargers(table, Date.now());
    if (sweep.due > 0) logger.info('offline sweep', { ...sweep });
    return sweep;
  });
