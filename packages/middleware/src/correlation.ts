import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

const correlationFields = ['chargerId', 'connectorId', 'sessionId', 'requestId', 'messageId'] as const;

export interface CorrelatedLoggingOptions {
  logger: Logger;
}

/** Adds the correlation fields of the incoming event to every log line of this invocation. */
export function correlatedLogging(options: CorrelatedLoggingOptions): MiddlewareObj<unknown, unknown> {
  const { logger } = options;
  const correlatedLoggingBefore = (request: { event: unknown }) => {
    logger.resetKeys();
    const event = request.event;
    if (typeof event !== 'object' || event === null) return;
    const source = event as Record<string, unknown>;
    const pathParameters = source.pathParameters as Record<string, unknown> | undefined;
    const keys: Record<string, string | number> = {};
    for (const field of correlationFields) {
      const value = source[field] ?? pathParameters?.[field];
      if (typeof value === 'string' || typeof value === 'number') keys[field] = value;
    }
    logger.appendKeys(keys);
  };
  return { before: correlatedLoggingBefore };
}
