import { ConflictError, type HeartbeatEvent, heartbeatEventSchema, TransientError } from '@evcharge/domain';
import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type DeadLetter, httpHandler, iotHandler, jsonResponse, userIdOf } from '../../src/index.js';
import { heartbeatEvent, httpEvent } from '../helpers/factories.js';
import { capturedLogger, lambdaContext } from '../helpers/logger.js';

// One capture per file: every Logger writes through the same process streams.
const captured = capturedLogger();
const { logger, lines } = captured;
afterAll(() => captured.restore());

describe('iotHandler', () => {
  const deadLetter = jest.fn(async (_letter: DeadLetter) => undefined);
  const recorded: HeartbeatEvent[] = [];
  let failWith: unknown;
  const handler = iotHandler({
    schema: heartbeatEventSchema,
    logger,
    deadLetter,
    handler: async (event) => {
      logger.info('recording heartbeat');
      if (failWith) throw failWith;
      recorded.push(event);
      return { recorded: event.chargerId };
    },
  });
  beforeEach(() => {
    lines.length = 0;
    recorded.length = 0;
    deadLetter.mockClear();
    failWith = undefined;
  });

  it('parses, calls the handler and returns its result, with correlated logs', async () => {
    await expect(handler(heartbeatEvent(), lambdaContext())).resolves.toEqual({ recorded: 'CP-1' });
    expect(recorded).toEqual([heartbeatEvent()]);
    expect(lines).toEqual([expect.objectContaining({ message: 'recording heartbeat', chargerId: 'CP-1' })]);
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('rejects a spoof before parsing, even when the payload is also bad', async () => {
    const event = heartbeatEvent({ clientId: 'CP-2', intervalS: 'often' });
    const result = await handler(event, lambdaContext());
    expect(result).toMatchObject({ rejected: true, errorClass: 'spoof', field: 'clientId' });
    expect(recorded).toEqual([]);
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter.mock.calls[0]![0]).toMatchObject({ errorClass: 'spoof', payload: event });
  });

  it('rejects bad input once, with the payload exactly as received', async () => {
    const event = heartbeatEvent({ intervalS: 5 });
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({
      rejected: true,
      errorClass: 'bad-input',
      field: 'intervalS',
      reason: expect.stringContaining('10'),
    });
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter.mock.calls[0]![0].payload).toStrictEqual(heartbeatEvent({ intervalS: 5 }));
    expect(lines.map((line) => line.message)).toEqual(['rejected bad input']);
    expect(lines[0]).toMatchObject({ chargerId: 'CP-1', field: 'intervalS' });
  });

  it('rethrows a transient failure so Lambda retries', async () => {
    failWith = new TransientError('throttled');
    await expect(handler(heartbeatEvent(), lambdaContext())).rejects.toBe(failWith);
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('rethrows a bug', async () => {
    failWith = new RangeError('bug');
    await expect(handler(heartbeatEvent(), lambdaContext())).rejects.toBe(failWith);
    expect(lines.at(-1)).toMatchObject({ level: 'ERROR', errorClass: 'bug' });
  });
});

describe('httpHandler', () => {
  beforeEach(() => {
    lines.length = 0;
  });

  const handler = httpHandler({
    logger,
    handler: async (event) => {
      const userId = userIdOf(event);
      logger.info('reading session');
      if (userId === 'user-busy') throw new ConflictError('session is not active');
      return jsonResponse(200, { userId });
    },
  });

  it('answers the handler’s result, logging with the path’s sessionId', async () => {
    const result = await handler(httpEvent({ sub: 'user-1', sessionId: 's-1' }), lambdaContext());
    expect(result).toEqual(jsonResponse(200, { userId: 'user-1' }));
    expect(lines).toEqual([expect.objectContaining({ message: 'reading session', sessionId: 's-1' })]);
  });

  it('answers 401 without a JWT subject', async () => {
    const result = await handler(httpEvent(), lambdaContext());
    expect(result.statusCode).toBe(401);
  });

  it('maps typed errors', async () => {
    const result = await handler(httpEvent({ sub: 'user-busy' }), lambdaContext());
    expect(result).toEqual(jsonResponse(409, { message: 'session is not active' }));
  });
});
