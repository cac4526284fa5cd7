import { correlatedLogging, type Logger } from '@evcharge/middleware';
import middy from '@middy/core';
import type { Context, KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';

// The Kinesis tumbling-window edge, shaped like @evcharge/middleware's handler factories (only this service
// consumes Kinesis today: it moves to the middleware package when a second one does).

export interface TumblingWindowHandlerOptions {
  logger: Logger;
  /**
   * Handles one invocation of a window: the state Lambda carried from the window's previous invocation ({} on a
   * new window) in, the state for the next one out, and the sequence number of the first record that failed (Lambda
   * retries from it, with the state of the last successful invocation).
   */
  handler: (event: KinesisStreamTumblingWindowEvent, context: Context) => Promise<KinesisStreamStateResponse>;
}

export function tumblingWindowHandler(options: TumblingWindowHandlerOptions) {
  return middy<KinesisStreamTumblingWindowEvent, KinesisStreamStateResponse>()
    .use(
      correlatedLogging({ logger: options.logger }) as middy.MiddlewareObj<
        KinesisStreamTumblingWindowEvent,
        KinesisStreamStateResponse
      >,
    )
    .handler(options.handler);
}
