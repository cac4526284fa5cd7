import { heartbeatEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { heartbeatCoalesceMs, liveness, table } from '../config.js';
import { heartbeatFacts, isCoalesced } from '../rules.js';
import { recordHeartbeat } from '../store.js';
import { WrittenHeartbeats } from '../written-heartbeats.js';

const logger = createLogger('heartbeat');
const written = new WrittenHeartbeats();

/**
 * chargers/{chargerId}/heartbeat → at most one conditional write on the charger, no index key, never a read;
 * none when this container wrote the charger's heartbeat within the coalescing window.
 */
export const handler = iotHandler({
  schema: heartbeatEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    const facts = heartbeatFacts(event, liveness);
    if (isCoalesced(written.get(event.chargerId), facts, heartbeatCoalesceMs))
      return { outcome: 'coalesced' };
    const result = await recordHeartbeat(table, event.chargerId, facts);
    if (result.outcome === 'recorded') written.remember(event.chargerId, facts);
    if (facts.clockSkewFlagged) logger.warn('device clock skewed', { deviceAt: event.at });
    if (result.outcome === 'recorded' && result.wentOnline) logger.info('charger online');
    return result;
  },
});
