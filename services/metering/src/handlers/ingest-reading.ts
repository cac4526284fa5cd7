import { meterEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { ingestReading } from '../ingest-reading.js';

const logger = createLogger('metering-ingest');

/** IoT rule on `chargers/+/meter`: keep the reading once, link it, move the session's totals. */
export const handler = iotHandler({
  schema: meterEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    const outcome = await ingestReading(table, event);
    if (outcome.anomaly) logger.info('reading stored, not applied', { anomaly: outcome.anomaly });
    return outcome;
  },
});
