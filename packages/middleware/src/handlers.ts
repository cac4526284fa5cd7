import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { classifyErrors, type DeadLetterSink, type Rejected } from './classify-errors.js';
import { correlatedLogging } from './correlation.js';
import { type HttpEvent, type HttpResult, httpErrors } from './http.js';
import { parseEvent, refuseSpoof } from './iot-event.js';

export interface IotHandlerOptions<Schema extends z.ZodType, Result> {
  schema: Schema;
  logger: Logger;
  deadLetter?: DeadLetterSink;
  handler: (event: z.infer<Schema>, context: Context) => Promise<Result>;
}

/** The one way to build a handler for an IoT rule (or lifecycle) event. */
export function iotHandler<Schema extends z.ZodType, Result>(options: IotHandlerOptions<Schema, Result>) {
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
