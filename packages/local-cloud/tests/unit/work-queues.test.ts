import { describe, expect, it } from '@jest/globals';
import { failedMessageIds } from '../../src/queues/queue-poller.js';
import { WorkQueues } from '../../src/queues/work-queues.js';
import { DeadLetterStore } from '../../src/state/dead-letters.js';

const T0 = 1_700_000_000_000;

function queues() {
  const deadLetters = new DeadLetterStore();
  const work = new WorkQueues(deadLetters);
  work.declare({
    name: 'work',
    delaySeconds: 5,
    visibilityTimeoutS: 10,
    redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 2 },
  });
  return { work, deadLetters };
}

describe('WorkQueues', () => {
  it('keeps a message invisible until its delay (its own, else the queue’s) has passed', () => {
    const { work } = queues();
    work.send('work', 'a', {}, 30, T0);
    work.send('work', 'b', {}, undefined, T0);
    expect(work.receive('work', 10, undefined, T0 + 4_999)).toEqual([]);
    const [b] = work.receive('work', 10, undefined, T0 + 5_000);
    expect(b?.body).toBe('b');
    expect(work.nextVisibleAt('work')).toBe(T0 + 15_000); // b: received at +5 s, visibility 10 s
    work.delete('work', b?.receiptHandle ?? '');
    expect(work.receive('work', 10, undefined, T0 + 29_999)).toEqual([]);
    expect(work.receive('work', 10, undefined, T0 + 30_000).map((m) => m.body)).toEqual(['a']);
  });

  it('hides a received message for the visibility timeout; a delete by its receipt handle removes it', () => {
    const { work } = queues();
    work.send('work', 'a', {}, 0, T0);
    const [first] = work.receive('work', 1, undefined, T0);
    expect(work.receive('work', 1, undefined, T0 + 9_999)).toEqual([]);
    const [second] = work.receive('work', 1, undefined, T0 + 10_000);
    expect(second?.receiveCount).toBe(2);
    expect(work.delete('work', first?.receiptHandle ?? '')).toBe(false); // stale handle
    expect(work.delete('work', second?.receiptHandle ?? '')).toBe(true);
    expect(work.depth('work')).toBe(0);
  });

  it('moves a message received maxReceiveCount times to the redrive target on its next receive', () => {
    const { work, deadLetters } = queues();
    work.send('work', '{"id":"x"}', { kind: 'timer' }, 0, T0);
    work.receive('work', 1, undefined, T0);
    work.receive('work', 1, undefined, T0 + 10_000);
    expect(work.receive('work', 1, undefined, T0 + 20_000)).toEqual([]);
    expect(work.depth('work')).toBe(0);
    expect(deadLetters.list()).toEqual([
      expect.objectContaining({
        queue: 'dlq',
        source: 'sqs-redrive',
        attempts: 2,
        payload: { id: 'x' },
        body: '{"id":"x"}',
        attributes: { kind: 'timer' },
      }),
    ]);
  });

  it('refuses DelaySeconds outside 0..900', () => {
    const { work } = queues();
    expect(() => work.send('work', 'a', {}, 901)).toThrow(/DelaySeconds/);
    expect(() => work.send('work', 'a', {}, -1)).toThrow(/DelaySeconds/);
  });
});

describe('failedMessageIds (Lambda’s partial batch response rules)', () => {
  const batch = [{ messageId: 'm1' }, { messageId: 'm2' }] as Parameters<typeof failedMessageIds>[1];
  const ok = (result: unknown) => ({ ok: true as const, result });

  it('fails everything on a function error', () => {
    const failed = failedMessageIds({ ok: false, error: { errorType: 'E', errorMessage: 'x' } }, batch, true);
    expect([...failed]).toEqual(['m1', 'm2']);
  });

  it('fails only the listed items with ReportBatchItemFailures', () => {
    expect([...failedMessageIds(ok({ batchItemFailures: [{ itemIdentifier: 'm2' }] }), batch, true)]).toEqual(
      ['m2'],
    );
    expect([...failedMessageIds(ok({ batchItemFailures: [] }), batch, true)]).toEqual([]);
    expect([...failedMessageIds(ok(null), batch, true)]).toEqual([]);
  });

  it('fails the whole batch when an itemIdentifier is missing or not in the batch', () => {
    expect(failedMessageIds(ok({ batchItemFailures: [{ itemIdentifier: 'nope' }] }), batch, true).size).toBe(
      2,
    );
    expect(failedMessageIds(ok({ batchItemFailures: [{}] }), batch, true).size).toBe(2);
  });

  it('ignores a batchItemFailures response when the mapping does not report item failures', () => {
    expect(failedMessageIds(ok({ batchItemFailures: [{ itemIdentifier: 'm1' }] }), batch, false).size).toBe(
      0,
    );
  });
});
