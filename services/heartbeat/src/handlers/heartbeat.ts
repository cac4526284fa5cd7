import { heartbeatEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { liveness, table } from '../config.js';
import { heartbeatFacts } from '../rules.js';
import { recordHeartbeat } from '../store.js';

const logger = createLogger('heartbeat');

/** chargers/{chargerId}/heartbeat → one conditional write on the charger, no index key (throttled, never a read). */
export const handler = iotHandler({
  schema: heartbeatEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    const facts = heartbeatFacts(event, liveness);
    const result = await recordHeartbeat(table, event.chargerId, facts);
    if (facts.clockSkewFlagged) logger.warn('device clock skewed', { deviceAt: event.at });
    if (result.outcome === 'recorded' && result.wentOnline) logger.info('charger online');
    return result;
  },
});
