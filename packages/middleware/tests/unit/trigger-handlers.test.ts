import { TransientError } from '@evcharge/domain';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { scheduleHandler, sqsBatchHandler, streamBatchHandler } from '../../src/handlers.js';
import { capturedLogger, lambdaContext } from '../helpers/logger.js';

let restore: () => void = () => undefined;
afterEach(() => restore());

const schedule = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;
const message = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;

describe('scheduleHandler', () => {
  it("returns the run's result, and rethrows a failure so the on-failure destination keeps the run", async () => {
    const captured = capturedLogger();
    restore = captured.restore;
    const ok = scheduleHandler({ logger: captured.logger, handler: async () => ({ due: 2 }) });
    await expect(ok(schedule, lambdaContext())).resolves.toEqual({ due: 2 });
    const error = new TransientError('DynamoDB throttled');
    const failing = scheduleHandler({ logger: captured.logger, handler: () => Promise.reject(error) });
    await expect(failing(schedule, lambdaContext())).rejects.toBe(error);
  });
});

describe('sqsBatchHandler', () => {
  it('reports only the messages that failed, and logs each with its id', async () => {
    const captured = capturedLogger();
    restore = captured.restore;
    const seen: string[] = [];
    const handler = sqsBatchHandler({
      logger: captured.logger,
      record: async (record) => {
        seen.push(record.body);
        if (record.body === 'bad') throw new Error('cannot');
      },
    });
    const event = {
      Records: [message('m-1', 'ok'), message('m-2', 'bad'), message('m-3', 'ok')],
    } as SQSEvent;
    await expect(handler(event, lambdaContext())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-2' }],
    });
    expect(seen).toEqual(['ok', 'bad', 'ok']);
    expect(captured.lines.filter((line) => line.level === 'ERROR').map((line) => line.messageId)).toEqual([
      'm-2',
    ]);
  });
});

describe('streamBatchHandler', () => {
  it("hands the batch's records in order to the handler and returns its failures", async () => {
    const captured = capturedLogger();
    restore = captured.restore;
    const records = [{ eventID: 'e-1' }, { eventID: 'e-2' }] as DynamoDBRecord[];
    const handler = streamBatchHandler({
      logger: captured.logger,
      handler: async (batch) => ({ batchItemFailures: [{ itemIdentifier: String(batch[1]?.eventID) }] }),
    });
    await expect(handler({ Records: records }, lambdaContext())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: 'e-2' }],
    });
  });
});
