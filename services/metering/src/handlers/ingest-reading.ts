import { meterTopicEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { type IngestOutcome, ingestMeterMessage } from '../ingest-reading.js';

const logger = createLogger('metering-ingest');

/** IoT rule on `chargers/+/meter` (v1 or OCPP MeterValues): keep each reading once, link it, move the session's totals. */
export const handler = iotHandler({
  schema: meterTopicEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    const outcome = await ingestMeterMessage(table, event);
    const readings: IngestOutcome[] = 'readings' in outcome ? outcome.readings : [outcome];
    for (const { anomaly } of readings) if (anomaly) logger.info('reading stored, not applied', { anomaly });
    return outcome;
  },
});
