import type { Logger } from '@aws-lambda-powertools/logger';
import { BadInputError, type DeadLetter, type ErrorClass, TransientError } from '@evcharge/domain';
import type { MiddlewareObj, Request } from '@middy/core';

export type { DeadLetter };

export type DeadLetterSink = (letter: DeadLetter) => Promise<void>;

/** The outcome a handler returns when it refused a message as bad input. */
export interface Rejected {
  rejected: true;
  errorClass: ErrorClass;
  field: string;
  reason: string;
}

export interface ClassifyErrorsOptions {
  logger: Logger;
  /** Where bad input goes, once; when absent it is only logged. */
  deadLetter?: DeadLetterSink;
  now?: () => Date;
}

// Error names and codes a retry may fix (SDK, Node sockets, the domain's own); `pnpm redrive` classes by them too.
const transientNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'TransientError',
]);

/** For an error known only by its name or code, e.g. the `errorType` of a Lambda error payload. */
export function isTransientErrorName(name: string): boolean {
  return transientNames.has(name);
}

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: string }).code;
  const retryable = (error as Error & { $retryable?: unknown }).$retryable;
  return (
    isTransientErrorName(error.name) ||
    (code !== undefined && isTransientErrorName(code)) ||
    Boolean(retryable)
  );
}

/**
 * The one edge where errors become outcomes:
 * - bad input and spoofs are logged with field and reason, dead-lettered once, and NOT retried
 *   (the invocation succeeds with a Rejected result);
 * - transient errors are rethrown so Lambda retries, then its on-failure destination keeps them;
 * - anything else is a bug: logged loudly and rethrown.
 */
export function classifyErrors(options: ClassifyErrorsOptions): MiddlewareObj<unknown, unknown> {
  const { logger, deadLetter } = options;
  const now = options.now ?? (() => new Date());
  const classifyErrorsOnError = async (request: Request<unknown, unknown>) => {
    const error = request.error;
    if (error instanceof BadInputError) {
      logger.warn('rejected bad input', {
        errorClass: error.errorClass,
        field: error.field,
        reason: error.reason,
      });
      const failedAt = now().toISOString();
      await deadLetter?.({
        functionName: request.context?.functionName ?? 'unknown',
        errorClass: error.errorClass,
        field: error.field,
        reason: error.reason,
        payload: request.event,
        attempts: 1,
        firstFailureAt: failedAt,
        lastFailureAt: failedAt,
      });
      const rejected: Rejected = {
        rejected: true,
        errorClass: error.errorClass,
        field: error.field,
        reason: error.reason,
      };
      request.response = rejected;
      request.error = null;
      return;
    }
    if (isTransient(error)) {
      logger.warn('transient failure, letting Lambda retry', {
        errorClass: 'transient',
        error: error as Error,
      });
      return;
    }
    logger.error('unexpected failure', { errorClass: 'bug', error: error as Error });
  };
  return { onError: classifyErrorsOnError };
}
