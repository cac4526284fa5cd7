import { createLogger, sqsDeadLetterSink, streamBatchHandler } from '@evcharge/middleware';
import { publishNotification } from '../adapters/publish-notification.js';
import { table, topicArn } from '../config.js';
import { notifyBatch } from '../notify-batch.js';

const logger = createLogger('notifications');
const deadLetter = sqsDeadLetterSink();

/** Table stream → at most one SNS notification per committed state change, exactly once in effect. */
export const handler = streamBatchHandler({
  logger,
  handler: (records, context) =>
    notifyBatch(records, {
      table,
      logger,
      deadLetter,
      functionName: context.functionName,
      publish: (body) => publishNotification(topicArn, body),
      now: Date.now,
      remainingMs: () => context.getRemainingTimeInMillis(),
    }),
});
