import { assertDeviceTimeBelievable, authorizeEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';
import { table } from '../config.js';
import { authorizeResponseOf } from '../rules.js';
import { checkIdTag } from '../store.js';

const logger = createLogger('charge-authorization');

/** chargers/{chargerId}/authorize → the tag's idTagInfo on authorize/response (OCPP Authorize); opens nothing. */
export const handler = iotHandler({
  schema: authorizeEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const idTag = await checkIdTag(table, {
      chargerId: event.chargerId,
      idTag: event.idTag,
      receivedAtMs: event.receivedAt,
    });
    const response = authorizeResponseOf(event.requestId, idTag, new Date());
    await publishToCharger('authorizeResponse', event.chargerId, response);
    logger.info('idTag authorized', { status: response.idTagInfo.status });
    return response;
  },
});
