import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError, type MeterRequestPayload } from '@evcharge/domain';
import { describe, expect, it, jest } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { armTimerThenPublish, parseRequestTimer, type TimerDeps } from '../../src/request-timer.js';

const SESSION = '3f1e9a52-7c4d-4b8e-9f10-2a6b5c7d8e90';
const REQUEST = '5e1fb3a4-8c7d-4f2e-9b1a-0c3d2e4f5a6b';
const payload: MeterRequestPayload = { requestId: REQUEST, connectorId: 1, at: '2026-11-25T06:00:00.000Z' };

function harness(overrides: Partial<TimerDeps> = {}) {
  const calls: string[] = [];
  const warn = jest.fn();
  const timer: TimerDeps = {
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/metering-local-meter-request-timers',
    delayS: 30,
    send: async (_url, body, delayS) => {
      calls.push(`timer ${JSON.stringify(body)} ${delayS}`);
    },
    logger: { warn },
    ...overrides,
  };
  const publish = async (chargerId: string) => {
    calls.push(`publish ${chargerId}`);
  };
  const wrapped = armTimerThenPublish(timer, publish, (_chargerId, { requestId }: MeterRequestPayload) => ({
    sessionId: SESSION,
    requestId,
  }));
  return { calls, warn, wrapped };
}

describe('armTimerThenPublish', () => {
  it('sends the timer with the timeout as its delay, then asks the charger', async () => {
    const { calls, wrapped } = harness();
    await wrapped('CP-1', payload);
    expect(calls).toEqual([`timer {"sessionId":"${SESSION}","requestId":"${REQUEST}"} 30`, 'publish CP-1']);
  });

  it('still asks the charger (and warns) when the timer cannot be sent', async () => {
    const { calls, warn, wrapped } = harness({
      send: async () => {
        throw new Error('throttled');
      },
    });
    await wrapped('CP-1', payload);
    expect(calls).toEqual(['publish CP-1']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('warns when the queue URL is missing', async () => {
    const { calls, warn, wrapped } = harness({ queueUrl: undefined });
    await wrapped('CP-1', payload);
    expect(calls).toEqual(['publish CP-1']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('sends no timer when the timeout is longer than SQS can delay (the sweeper resolves it)', async () => {
    const { calls, warn, wrapped } = harness({ delayS: undefined });
    await wrapped('CP-1', payload);
    expect(calls).toEqual(['publish CP-1']);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('parseRequestTimer', () => {
  it('reads the sample event’s body (events/meter-request-timer.json)', () => {
    const event = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../events/meter-request-timer.json'), 'utf8'),
    ) as SQSEvent;
    expect(parseRequestTimer(event.Records[0]?.body ?? '')).toEqual({
      kind: 'meter-request',
      timer: { sessionId: SESSION, requestId: REQUEST },
    });
  });

  it('reads a remote request timer by its charger (events/remote-request-timer.json)', () => {
    const event = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../events/remote-request-timer.json'), 'utf8'),
    ) as SQSEvent;
    expect(parseRequestTimer(event.Records[0]?.body ?? '')).toEqual({
      kind: 'remote-request',
      timer: { chargerId: 'CP-1', requestId: REQUEST },
    });
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an object', '"x"'],
    ['a missing requestId', JSON.stringify({ sessionId: SESSION })],
    ['an extra field', JSON.stringify({ sessionId: SESSION, requestId: REQUEST, extra: 1 })],
    ['a requestId that is not a UUID', JSON.stringify({ sessionId: SESSION, requestId: 'r-1' })],
    [
      'a remote timer with a session too',
      JSON.stringify({ chargerId: 'CP-1', sessionId: SESSION, requestId: REQUEST }),
    ],
    ['a remote timer with a bad chargerId', JSON.stringify({ chargerId: 'CP/1', requestId: REQUEST })],
  ])('refuses %s as bad input', (_case, body) => {
    expect(() => parseRequestTimer(body)).toThrow(BadInputError);
  });
});
