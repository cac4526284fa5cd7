import { assertDeviceTimeBelievable, diagnosticsStatusEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { statusReportOf } from '../rules.js';
import { recordStatusReport } from '../store.js';

const logger = createLogger('diagnostics-status');

/** chargers/{chargerId}/diagnostics-status → the charger's registry record, newest device time wins. */
export const handler = iotHandler({
  schema: diagnosticsStatusEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    return recordStatusReport(table, event.chargerId, statusReportOf('diagnosticsStatus', event));
  },
});
