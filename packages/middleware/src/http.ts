import type { Logger } from '@aws-lambda-powertools/logger';
import { BadInputError, ConflictError, NotFoundError } from '@evcharge/domain';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_HTTP_BODY_BYTES = 8 * 1024;

export function jsonResponse(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The authenticated user: API Gateway has verified the JWT; `sub` is the userId. */
export function userIdOf(event: HttpEvent): string {
  const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedError();
  return sub;
}

export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

export interface HttpErrorsOptions {
  logger: Logger;
}

/**
 * Maps typed errors to HTTP answers at one edge. Bodies carry a plain message only: no stack
 * traces, no internal ids. Someone else's resource and a missing one are the same 404.
 */
export function httpErrors(options: HttpErrorsOptions): MiddlewareObj<HttpEvent, HttpResult> {
  const { logger } = options;
  const httpErrorsBefore = (request: Request<HttpEvent, HttpResult>) => {
    const body = request.event.body ?? '';
    if (Buffer.byteLength(body) > MAX_HTTP_BODY_BYTES) {
      throw new BadInputError('(body)', `is over the ${MAX_HTTP_BODY_BYTES}-byte limit`);
    }
  };
  const httpErrorsOnError = (request: Request<HttpEvent, HttpResult>) => {
    const error = request.error;
    if (error instanceof UnauthorizedError) {
      request.response = jsonResponse(401, { message: 'unauthorized' });
    } else if (error instanceof NotFoundError) {
      request.response = jsonResponse(404, { message: 'not found' });
    } else if (error instanceof ConflictError) {
      request.response = jsonResponse(409, { message: error.message });
    } else if (error instanceof BadInputError) {
      request.response = jsonResponse(400, { message: `${error.field}: ${error.reason}` });
    } else {
      logger.error('unexpected failure', { errorClass: 'bug', error: error as Error });
      request.response = jsonResponse(500, { message: 'internal error' });
    }
    request.error = null;
  };
  return { before: httpErrorsBefore, onError: httpErrorsOnError };
}
