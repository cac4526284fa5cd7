import { assertDeviceTimeBelievable, commandResponseEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { table } from '../config.js';
import { commandAnswerOf } from '../rules.js';
import { recordCommandAnswer } from '../store.js';

const logger = createLogger('command-response');

/** chargers/{chargerId}/command/response → the answer on the operator's Command item (and a sign of life). */
export const handler = iotHandler({
  schema: commandResponseEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    assertDeviceTimeBelievable(event);
    const result = await recordCommandAnswer(table, commandAnswerOf(event));
    if (result.outcome === 'recorded' && result.late) {
      logger.warn('command answered after the operator stopped waiting', { requestId: event.requestId });
    }
    return result;
  },
});
