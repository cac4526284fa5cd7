import { assertDeviceTimeBelievable, firmwareStatusEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { statusReportOf } from '../rules.js';
import { recordStatusReport } from '../store.js';

const logger = createLogger('firmware-status');

/** chargers/{chargerId}/firmware-status → the charger's registry record, newest device time wins. */
export const handler = iotHandler({
  schema: firmwareStatusEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    return recordStatusReport(table, event.chargerId, statusReportOf('firmwareStatus', event));
  },
});
