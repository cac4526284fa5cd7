import { assertDeviceTimeBelievable, remoteResponseEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { recordRemoteResponse } from '../remote-requests.js';

const logger = createLogger('metering-remote');

/** IoT rule on `chargers/+/remote/response`: the charger's answer moves its pending remote start/stop once. */
export const handler = iotHandler({
  schema: remoteResponseEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const outcome = await recordRemoteResponse(table, event, new Date());
    if (outcome === 'not-pending') logger.info('remote response for a request no longer pending');
    return outcome;
  },
});
