import { describe, expect, it } from '@jest/globals';
import type { StreamSubscription } from '../../src/config/model.js';
import type { InvocationOutcome } from '../../src/lambda/function-worker.js';
import { deliverBatch, type FailedBatch, type LambdaStreamRecord } from '../../src/streams/batch-delivery.js';

const subscription: StreamSubscription = {
  tableName: 't',
  batchSize: 10,
  maximumRetryAttempts: 2,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
  startingPosition: 'LATEST',
};

function records(count: number): LambdaStreamRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    eventID: `e${index}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn',
    dynamodb: { SequenceNumber: String(100 + index) },
  }));
}

/** A fake function: records every batch it sees and answers with `respond`. */
function harness(respond: (sequenceNumbers: string[], call: number) => InvocationOutcome) {
  const calls: string[][] = [];
  const failures: FailedBatch[] = [];
  return {
    calls,
    failures,
    deps: {
      invoke: async (event: { Records: LambdaStreamRecord[] }) => {
        const sequenceNumbers = event.Records.map((record) => record.dynamodb.SequenceNumber ?? '');
        calls.push(sequenceNumbers);
        return respond(sequenceNumbers, calls.length);
      },
      onFailure: (failed: FailedBatch) => failures.push(failed),
      retryDelayMs: 0,
      isStopped: () => false,
    },
  };
}

const crash: InvocationOutcome = { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } };
const success: InvocationOutcome = { ok: true, result: null };

describe('stream batch delivery', () => {
  it('delivers a successful batch once', async () => {
    const { calls, failures, deps } = harness(() => success);
    await deliverBatch(records(3), subscription, deps);
    expect(calls).toEqual([['100', '101', '102']]);
    expect(failures).toEqual([]);
  });

  it('retries a failing batch maximumRetryAttempts times, then sends it to on-failure', async () => {
    const { calls, failures, deps } = harness(() => crash);
    await deliverBatch(records(2), subscription, deps);
    expect(calls).toEqual([
      ['100', '101'],
      ['100', '101'],
      ['100', '101'],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.attempts).toBe(3);
    expect(failures[0]?.records.map((record) => record.dynamodb.SequenceNumber)).toEqual(['100', '101']);
    expect(failures[0]?.reason).toBe('Error: boom');
  });

  it('bisects on function error so only the poison record reaches on-failure', async () => {
    const { calls, failures, deps } = harness((sequenceNumbers) =>
      sequenceNumbers.includes('102') ? crash : success,
    );
    await deliverBatch(records(4), { ...subscription, bisectBatchOnFunctionError: true }, deps);
    expect(calls).toEqual([['100', '101', '102', '103'], ['100', '101'], ['102', '103'], ['102'], ['103']]);
    expect(failures.map((failed) => failed.records.map((record) => record.dynamodb.SequenceNumber))).toEqual([
      ['102'],
    ]);
  });

  it('with ReportBatchItemFailures, retries from the first failed item only', async () => {
    const { calls, failures, deps } = harness((_sequenceNumbers, call) =>
      call === 1
        ? { ok: true, result: { batchItemFailures: [{ itemIdentifier: '102' }, { itemIdentifier: '103' }] } }
        : success,
    );
    await deliverBatch(records(4), { ...subscription, reportBatchItemFailures: true }, deps);
    expect(calls).toEqual([
      ['100', '101', '102', '103'],
      ['102', '103'],
    ]);
    expect(failures).toEqual([]);
  });

  it('an item failure that never clears goes to on-failure with the records from it onwards', async () => {
    const { failures, deps } = harness(() => ({
      ok: true,
      result: { batchItemFailures: [{ itemIdentifier: '101' }] },
    }));
    await deliverBatch(
      records(3),
      { ...subscription, reportBatchItemFailures: true, maximumRetryAttempts: 1 },
      deps,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.records.map((record) => record.dynamodb.SequenceNumber)).toEqual(['101', '102']);
    expect(failures[0]?.attempts).toBe(2);
  });

  it('an unknown item identifier fails the whole batch', async () => {
    const { calls, deps } = harness((_sequenceNumbers, call) =>
      call === 1 ? { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'nope' }] } } : success,
    );
    await deliverBatch(records(2), { ...subscription, reportBatchItemFailures: true }, deps);
    expect(calls).toEqual([
      ['100', '101'],
      ['100', '101'],
    ]);
  });

  it('ignores batchItemFailures when the function did not declare ReportBatchItemFailures', async () => {
    const { calls, deps } = harness(() => ({
      ok: true,
      result: { batchItemFailures: [{ itemIdentifier: '100' }] },
    }));
    await deliverBatch(records(2), subscription, deps);
    expect(calls).toHaveLength(1);
  });
});
