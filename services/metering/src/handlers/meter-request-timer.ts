import { createLogger } from '@evcharge/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { table } from '../config.js';
import { parseMeterRequestTimer, resolveTimedOutMeterRequest } from '../meter-request-timeouts.js';

const logger = createLogger('metering-timeouts');

/**
 * SQS (ReportBatchItemFailures): each message is a request's timer, delivered at its deadline. A still
 * pending request becomes unavailable; an answered one, or a second delivery, changes nothing. A message
 * that fails comes back after the visibility timeout; after maxReceiveCount SQS moves it to the DLQ
 * (and the scheduled sweeper still resolves its request).
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const now = new Date();
  const outcomes = await Promise.allSettled(
    event.Records.map(async (record) =>
      resolveTimedOutMeterRequest(table, parseMeterRequestTimer(record.body), now),
    ),
  );
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  outcomes.forEach((outcome, index) => {
    const record = event.Records[index];
    if (!record) return;
    if (outcome.status === 'rejected') {
      logger.error('meter request timer failed', { messageId: record.messageId, error: outcome.reason });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else if (outcome.value) {
      logger.info('meter request timed out', { body: record.body });
    }
  });
  return { batchItemFailures };
}
