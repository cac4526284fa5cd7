import { deadLetterMessage } from '@evcharge/domain';
import type { DeadLetter, DeadLetterSink } from './classify-errors.js';

/**
 * Sends refused messages to the function's dead-letter queue (DEAD_LETTER_QUEUE_URL). Lambda's own
 * on-failure destination only sees invocations that fail; bad input succeeds (no retry), so it is sent here once.
 * The SQS client is loaded and created on the first dead letter: most invocations never send one (a chunk of its
 * own in the shipped bundle, see serverless.common.yml).
 */
export function sqsDeadLetterSink(queueUrl = process.env.DEAD_LETTER_QUEUE_URL): DeadLetterSink | undefined {
  if (!queueUrl) return undefined;
  return async (letter: DeadLetter) => {
    const { sendMessage } = await import('./sqs-send-message.js');
    await sendMessage({ QueueUrl: queueUrl, ...deadLetterMessage(letter) });
  };
}
