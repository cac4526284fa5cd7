import { correlatedLogging, createLogger, sqsDeadLetterSink } from '@evcharge/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishNotification } from '../adapters/publish-notification.js';
import { table, topicArn } from '../config.js';
import { notifyBatch } from '../notify-batch.js';

const logger = createLogger('notifications');
const deadLetter = sqsDeadLetterSink();

/** Table stream → at most one SNS notification per committed state change, exactly once in effect. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(correlatedLogging({ logger }) as middy.MiddlewareObj<DynamoDBStreamEvent, DynamoDBBatchResponse>)
  .handler((event, context) =>
    notifyBatch(event.Records, {
      table,
      logger,
      deadLetter,
      functionName: context.functionName,
      publish: (body) => publishNotification(topicArn, body),
      now: Date.now,
      remainingMs: () => context.getRemainingTimeInMillis(),
    }),
  );
