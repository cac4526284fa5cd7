import { BadInputError, SpoofError, TransientError } from '@evcharge/domain';
import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import middy from '@middy/core';
import { classifyErrors, type DeadLetter, isTransient, isTransientErrorName } from '../../src/index.js';
import { heartbeatEvent } from '../helpers/factories.js';
import { capturedLogger, lambdaContext } from '../helpers/logger.js';

const failedAt = new Date('2026-11-25T06:31:00.000Z');

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} from the SDK`), { name, ...extra });
}

describe('classifyErrors', () => {
  const captured = capturedLogger();
  const { logger, lines } = captured;
  const deadLetter = jest.fn(async (_letter: DeadLetter) => undefined);
  beforeEach(() => {
    lines.length = 0;
    deadLetter.mockClear();
  });
  afterAll(() => captured.restore());

  function throwing(error: unknown, sink: typeof deadLetter | undefined = deadLetter) {
    return middy(async (_event: unknown) => {
      throw error;
    }).use(classifyErrors({ logger, ...(sink ? { deadLetter: sink } : {}), now: () => failedAt }));
  }

  it('lets a successful result through untouched', async () => {
    const handler = middy(async (event: unknown) => ({ echoed: event })).use(
      classifyErrors({ logger, deadLetter }),
    );
    await expect(handler('x', lambdaContext())).resolves.toEqual({ echoed: 'x' });
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('turns bad input into a Rejected result, dead-letters it once and logs field and reason', async () => {
    const event = heartbeatEvent({ intervalS: 5, unknownExtra: { deep: [1, 2] } });
    const received = structuredClone(event);
    const result = await throwing(new BadInputError('intervalS', 'must be >= 10'))(event, lambdaContext());

    expect(result).toEqual({
      rejected: true,
      errorClass: 'bad-input',
      field: 'intervalS',
      reason: 'must be >= 10',
    });
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter.mock.calls[0]![0]).toStrictEqual({
      functionName: 'heartbeat-local-record',
      errorClass: 'bad-input',
      field: 'intervalS',
      reason: 'must be >= 10',
      payload: received,
      attempts: 1,
      firstFailureAt: '2026-11-25T06:31:00.000Z',
      lastFailureAt: '2026-11-25T06:31:00.000Z',
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'rejected bad input',
        errorClass: 'bad-input',
        field: 'intervalS',
        reason: 'must be >= 10',
      }),
    ]);
  });

  it('classifies a spoof as spoof', async () => {
    const event = heartbeatEvent({ clientId: 'CP-2' });
    const result = await throwing(new SpoofError('CP-1', 'CP-2'))(event, lambdaContext());
    expect(result).toMatchObject({ rejected: true, errorClass: 'spoof', field: 'clientId' });
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter.mock.calls[0]![0]).toMatchObject({ errorClass: 'spoof', payload: event });
    expect(lines[0]).toMatchObject({ errorClass: 'spoof' });
  });

  it('still rejects (without retry) when no dead-letter sink is configured', async () => {
    const result = await throwing(new BadInputError('at', 'bad'), undefined)(
      heartbeatEvent(),
      lambdaContext(),
    );
    expect(result).toMatchObject({ rejected: true, field: 'at' });
  });

  it('fails the invocation when the dead-letter sink fails, so the message is retried rather than lost', async () => {
    const failingSink = jest.fn(async (_letter: DeadLetter) => {
      throw sdkError('ServiceUnavailable');
    });
    await expect(
      throwing(new BadInputError('at', 'bad'), failingSink)(heartbeatEvent(), lambdaContext()),
    ).rejects.toThrow('ServiceUnavailable');
  });

  it.each([
    ['a TransientError', new TransientError('table busy')],
    ['DynamoDB throttling', sdkError('ProvisionedThroughputExceededException')],
    ['a transaction conflict', sdkError('TransactionConflictException')],
    ['a socket reset', sdkError('Error', { code: 'ECONNRESET' })],
    ['an SDK error marked retryable', sdkError('SomethingNew', { $retryable: { throttling: false } })],
  ])('rethrows %s for Lambda to retry, without dead-lettering', async (_description, error) => {
    await expect(throwing(error)(heartbeatEvent(), lambdaContext())).rejects.toBe(error);
    expect(deadLetter).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', errorClass: 'transient' })]);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a ConditionalCheckFailedException', sdkError('ConditionalCheckFailedException')],
    ['a thrown string', 'boom'],
  ])('logs %s as a bug and rethrows it', async (_description, error) => {
    await expect(throwing(error)(heartbeatEvent(), lambdaContext())).rejects.toBe(error);
    expect(deadLetter).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', errorClass: 'bug' })]);
  });
});

describe('isTransient', () => {
  it.each([
    [new TransientError('x'), true],
    [sdkError('TransientError'), true],
    [sdkError('ThrottlingException'), true],
    [sdkError('RequestLimitExceeded'), true],
    [sdkError('InternalServerError'), true],
    [sdkError('TimeoutError'), true],
    [sdkError('Error', { code: 'ETIMEDOUT' }), true],
    [sdkError('ValidationException'), false],
    [sdkError('ResourceNotFoundException'), false],
    [new BadInputError('a', 'b'), false],
    [new Error('plain'), false],
    [{ name: 'ThrottlingException' }, false],
    [undefined, false],
  ])('%p → %p', (error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe('isTransientErrorName: an error known only by its name or code', () => {
  it.each([
    ['TransactionConflictException', true],
    ['TransientError', true],
    ['ECONNRESET', true],
    ['TimeoutError', true],
    ['ConditionalCheckFailedException', false],
    ['TypeError', false],
    ['Error', false],
    ['', false],
  ])('%p → %p', (name, transient) => {
    expect(isTransientErrorName(name)).toBe(transient);
  });
});
