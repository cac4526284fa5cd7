import { BadInputError, ConflictError, NotFoundError, TransientError } from '@evcharge/domain';
import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import middy from '@middy/core';
import {
  type HttpEvent,
  type HttpResult,
  httpErrors,
  jsonResponse,
  MAX_HTTP_BODY_BYTES,
  UnauthorizedError,
  userIdOf,
} from '../../src/index.js';
import { httpEvent } from '../helpers/factories.js';
import { capturedLogger, lambdaContext } from '../helpers/logger.js';

const sessionId = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';

describe('httpErrors', () => {
  const captured = capturedLogger();
  const { logger, lines } = captured;
  beforeEach(() => {
    lines.length = 0;
  });
  afterAll(() => captured.restore());

  function throwing(error: unknown) {
    return middy<HttpEvent, HttpResult>(async () => {
      throw error;
    }).use(httpErrors({ logger }));
  }

  it.each([
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthorized'],
    ['NotFoundError', new NotFoundError(`session ${sessionId} belongs to user-2`), 404, 'not found'],
    ['ConflictError', new ConflictError('session is not active'), 409, 'session is not active'],
    ['BadInputError', new BadInputError('sessionId', 'Invalid UUID'), 400, 'sessionId: Invalid UUID'],
    ['TransientError', new TransientError('throttled'), 500, 'internal error'],
    [
      'a bug',
      new TypeError(`Cannot read properties of undefined (session ${sessionId})`),
      500,
      'internal error',
    ],
  ])('maps %s to %p', async (_name, error, statusCode, message) => {
    const result = await throwing(error)(httpEvent({ sub: 'user-1' }), lambdaContext());
    expect(result).toEqual({
      statusCode,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
  });

  it('never puts a stack trace or an internal id in the body', async () => {
    for (const error of [
      new NotFoundError(`session ${sessionId} of user-2`),
      new Error(`boom ${sessionId}`),
    ]) {
      const result = await throwing(error)(httpEvent({ sub: 'user-1' }), lambdaContext());
      expect(result.body).not.toContain(sessionId);
      expect(result.body).not.toContain('user-2');
      expect(result.body).not.toMatch(/\bat .*\.ts/);
      expect(Object.keys(JSON.parse(result.body ?? '{}'))).toEqual(['message']);
    }
  });

  it('logs an unexpected error as a bug, with its stack, outside the body', async () => {
    await throwing(new Error('boom'))(httpEvent({ sub: 'user-1' }), lambdaContext());
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', errorClass: 'bug' })]);
    expect(JSON.stringify(lines[0])).toContain('boom');
  });

  it('does not log expected outcomes as errors', async () => {
    await throwing(new NotFoundError('x'))(httpEvent({ sub: 'user-1' }), lambdaContext());
    expect(lines).toEqual([]);
  });

  describe('body size limit', () => {
    const handler = jest.fn(async () => jsonResponse(202, { accepted: true }));
    const wrapped = middy<HttpEvent, HttpResult>(handler).use(httpErrors({ logger }));
    beforeEach(() => {
      handler.mockClear();
    });

    it('accepts a body of exactly 8 KB', async () => {
      const result = await wrapped(httpEvent({ body: 'x'.repeat(MAX_HTTP_BODY_BYTES) }), lambdaContext());
      expect(result.statusCode).toBe(202);
      expect(handler).toHaveBeenCalledTimes(1);
    });

    it('answers 400 for a body one byte over, without calling the handler', async () => {
      const result = await wrapped(httpEvent({ body: 'x'.repeat(MAX_HTTP_BODY_BYTES + 1) }), lambdaContext());
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body ?? '')).toEqual({ message: '(body): is over the 8192-byte limit' });
      expect(handler).not.toHaveBeenCalled();
    });

    it('counts bytes, not characters', async () => {
      const body = 'é'.repeat(MAX_HTTP_BODY_BYTES / 2 + 1);
      const result = await wrapped(httpEvent({ body }), lambdaContext());
      expect(result.statusCode).toBe(400);
    });

    it('accepts a request without a body', async () => {
      const result = await wrapped(httpEvent(), lambdaContext());
      expect(result.statusCode).toBe(202);
    });
  });
});

describe('userIdOf', () => {
  it('is the JWT sub', () => {
    expect(userIdOf(httpEvent({ sub: 'user-1' }))).toBe('user-1');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
  ])('refuses a %s sub', (_description, sub) => {
    expect(() => userIdOf(httpEvent(sub === undefined ? {} : { sub }))).toThrow(UnauthorizedError);
  });
});
