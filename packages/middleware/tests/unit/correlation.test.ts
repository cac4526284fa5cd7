import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { correlatedLogging } from '../../src/index.js';
import { capturedLogger, lambdaContext } from '../helpers/logger.js';

describe('correlatedLogging', () => {
  const captured = capturedLogger();
  const { logger, lines } = captured;
  afterEach(() => {
    lines.length = 0;
  });
  afterAll(() => captured.restore());

  const handler = middy((event: unknown) => {
    logger.info('inside the handler');
    return event;
  }).use(correlatedLogging({ logger }));

  it('adds the event’s correlation fields to every line', async () => {
    await handler(
      {
        chargerId: 'CP-1',
        connectorId: 2,
        sessionId: 's-1',
        requestId: 'r-1',
        messageId: 'm-1',
        idTag: 'SECRET-TAG',
      },
      lambdaContext(),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'inside the handler',
      chargerId: 'CP-1',
      connectorId: 2,
      sessionId: 's-1',
      requestId: 'r-1',
      messageId: 'm-1',
    });
    expect(lines[0]).not.toHaveProperty('idTag');
  });

  it('resets the keys between invocations', async () => {
    await handler({ chargerId: 'CP-1', sessionId: 's-1' }, lambdaContext());
    await handler({ chargerId: 'CP-2' }, lambdaContext());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ chargerId: 'CP-2' });
    expect(lines[1]).not.toHaveProperty('sessionId');
  });

  it('reads HTTP path parameters', async () => {
    await handler({ pathParameters: { sessionId: 's-9' } }, lambdaContext());
    expect(lines[0]).toMatchObject({ sessionId: 's-9' });
  });

  it('ignores values that are not strings or numbers', async () => {
    await handler({ chargerId: { nested: true }, sessionId: null }, lambdaContext());
    expect(lines[0]).not.toHaveProperty('chargerId');
    expect(lines[0]).not.toHaveProperty('sessionId');
  });

  it.each([['a string'], [null], [42]])('accepts a non-object event (%p) and logs no keys', async (event) => {
    await handler({ chargerId: 'CP-1' }, lambdaContext());
    await handler(event, lambdaContext());
    expect(lines[1]).not.toHaveProperty('chargerId');
  });
});
