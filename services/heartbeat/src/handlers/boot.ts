import { assertDeviceTimeBelievable, bootEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';
import { meterSampleIntervalS, table } from '../config.js';
import { bootAnswer, chargerBootOf } from '../rules.js';
import { recordBoot } from '../store.js';

const logger = createLogger('boot');

/** chargers/{chargerId}/boot → the registry record and a sign of life, then boot/response (OCPP BootNotification). */
export const handler = iotHandler({
  schema: bootEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const { outcome, charger } = await recordBoot(table, chargerBootOf(event));
    const answer = bootAnswer(charger, event, meterSampleIntervalS, new Date());
    await publishToCharger('bootResponse', event.chargerId, answer);
    if (answer.status === 'Pending') logger.info('pending charger booted', { outcome });
    return { outcome, status: answer.status };
  },
});
