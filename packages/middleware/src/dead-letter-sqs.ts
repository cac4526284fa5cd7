import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterMessage } from '@evcharge/domain';
import type { DeadLetter, DeadLetterSink } from './classify-errors.js';

// Module scope: created once per cold start; the endpoint comes from AWS_ENDPOINT_URL_SQS locally.
let sqsClient: SQSClient | undefined;

/**
 * Sends refused messages to the function's dead-letter queue (DEAD_LETTER_QUEUE_URL). Lambda's own
 * on-failure destination only sees invocations that fail; bad input succeeds (no retry), so it is sent here once.
 */
export function sqsDeadLetterSink(queueUrl = process.env.DEAD_LETTER_QUEUE_URL): DeadLetterSink | undefined {
  if (!queueUrl) return undefined;
  return async (letter: DeadLetter) => {
    sqsClient ??= new SQSClient({});
    await sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, ...deadLetterMessage(letter) }));
  };
}
