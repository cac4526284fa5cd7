import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  ScheduledEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import { classifyErrors, type DeadLetterSink, type Rejected } from './classify-errors.js';
import { correlatedLogging } from './correlation.js';
import { type HttpEvent, type HttpResult, httpErrors } from './http.js';
import { parseEvent, refuseSpoof } from './iot-event.js';

export interface IotHandlerOptions<Schema extends z.ZodMiniType, Result> {
  schema: Schema;
  logger: Logger;
  deadLetter?: DeadLetterSink;
  handler: (event: z.infer<Schema>, context: Context) => Promise<Result>;
}

/** The one way to build a handler for an IoT rule (or lifecycle) event. */
export function iotHandler<Schema extends z.ZodMiniType, Result>(options: IotHandlerOptions<Schema, Result>) {
  return middy<unknown, Result | Rejected>()
    .use(correlatedLogging({ logger: options.logger }))
    .use(
      classifyErrors({
        logger: options.logger,
        ...(options.deadLetter ? { deadLetter: options.deadLetter } : {}),
      }),
    )
    .use(refuseSpoof())
    .use(parseEvent({ schema: options.schema }))
    .handler((event, context) => options.handler(event as z.infer<Schema>, context));
}

export interface HttpHandlerOptions {
  logger: Logger;
  handler: (event: HttpEvent, context: Context) => Promise<HttpResult>;
}

/** The one way to build an HTTP API handler. */
export function httpHandler(options: HttpHandlerOptions) {
  return middy<HttpEvent, HttpResult>()
    .use(correlatedLogging({ logger: options.logger }) as middy.MiddlewareObj<HttpEvent, HttpResult>)
    .use(httpErrors({ logger: options.logger }))
    .handler(options.handler);
}

export interface ScheduleHandlerOptions<Result> {
  logger: Logger;
  handler: (event: ScheduledEvent, context: Context) => Promise<Result>;
}

/**
 * The one way to build a scheduled (EventBridge) handler. A failure is logged with its class and rethrown:
 * the on-failure destination keeps the failed run, and the next run picks up whatever is still due.
 */
export function scheduleHandler<Result>(options: ScheduleHandlerOptions<Result>) {
  return middy<ScheduledEvent, Result>()
    .use(correlatedLogging({ logger: options.logger }) as middy.MiddlewareObj<ScheduledEvent, Result>)
    .use(classifyErrors({ logger: options.logger }) as middy.MiddlewareObj<ScheduledEvent, Result>)
    .handler(options.handler);
}

export interface SqsBatchHandlerOptions {
  logger: Logger;
  /** Handles one message; a rejection reports that message alone as failed (it comes back, then to the DLQ). */
  record: (record: SQSRecord, context: Context) => Promise<unknown>;
}

/** The one way to build an SQS consumer with ReportBatchItemFailures: messages run side by side. */
export function sqsBatchHandler(options: SqsBatchHandlerOptions) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(correlatedLogging({ logger: options.logger }) as middy.MiddlewareObj<SQSEvent, SQSBatchResponse>)
    .handler(async (event, context) => {
      const outcomes = await Promise.allSettled(
        event.Records.map((record) => options.record(record, context)),
      );
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      outcomes.forEach((outcome, index) => {
        const record = event.Records[index];
        if (!record || outcome.status === 'fulfilled') return;
        options.logger.error('message failed', { messageId: record.messageId, error: outcome.reason });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      });
      return { batchItemFailures };
    });
}

export interface StreamBatchHandlerOptions {
  logger: Logger;
  /** Handles the batch in order and names the first record that failed (Lambda retries from there). */
  handler: (records: DynamoDBRecord[], context: Context) => Promise<DynamoDBBatchResponse>;
}

/** The one way to build a DynamoDB stream consumer with ReportBatchItemFailures. */
export function streamBatchHandler(options: StreamBatchHandlerOptions) {
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(
      correlatedLogging({ logger: options.logger }) as middy.MiddlewareObj<
        DynamoDBStreamEvent,
        DynamoDBBatchResponse
      >,
    )
    .handler((event, context) => options.handler(event.Records, context));
}
