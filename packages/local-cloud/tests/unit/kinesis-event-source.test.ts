import { describe, expect, it } from '@jest/globals';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { KinesisSubscription } from '../../src/config/model.js';
import { type DiscardedBatch, KinesisEventSourcePoller } from '../../src/kinesis/event-source-poller.js';
import {
  KinesisRecordInvalidError,
  KinesisStreamNotFoundError,
  KinesisStreamStore,
} from '../../src/kinesis/index.js';
import type { KinesisLambdaEvent, KinesisWindowEvent } from '../../src/kinesis/lambda-event.js';
import type { InvocationOutcome } from '../../src/lambda/function-worker.js';

// 03:00:00 UTC: a multiple of every window length used here.
const T0 = Date.UTC(2026, 11, 7, 3, 0, 0);
const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/analysis';

type Respond = (event: KinesisWindowEvent) => InvocationOutcome;

const dataOf = (record: KinesisStreamRecord) => Buffer.from(record.kinesis.data, 'base64').toString('utf8');

/** Counts records into the window's state and lists what it saw; succeeds unless told otherwise. */
const counting: Respond = (event) => ({
  ok: true,
  result: {
    state: {
      count: Number(event.state?.count ?? 0) + event.Records.length,
      seen: [...((event.state?.seen as string[]) ?? []), ...event.Records.map(dataOf)],
    },
    batchItemFailures: [],
  },
});

function setup(overrides: Partial<KinesisSubscription> = {}, respond: Respond = counting) {
  let now = T0;
  const store = new KinesisStreamStore({ now: () => now });
  store.declare('analysis');
  const subscription: KinesisSubscription = {
    streamName: 'analysis',
    batchSize: 100,
    batchingWindowMs: 0,
    startingPosition: 'TRIM_HORIZON',
    tumblingWindowSeconds: 60,
    reportBatchItemFailures: true,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: 2,
    ...overrides,
  };
  const events: KinesisWindowEvent[] = [];
  const discarded: DiscardedBatch[] = [];
  const poller = new KinesisEventSourcePoller({
    subscription,
    reader: store.openReader('analysis', subscription.startingPosition),
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/analyse',
    invoke: async (event: KinesisLambdaEvent) => {
      const copy = structuredClone(event) as KinesisWindowEvent;
      events.push(copy);
      return respond(copy);
    },
    onDiscard: (batch) => discarded.push(batch),
    now: () => now,
    retryDelayMs: 0,
  });
  const put = (data: string, partitionKey = 'CP-1') => store.putRecord('analysis', partitionKey, data);
  const at = (ms: number) => {
    now = ms;
  };
  /** Polls until nothing is due; the events it invoked with. */
  const drain = async () => {
    const before = events.length;
    while ((await poller.pollOnce()).invoked);
    return events.slice(before);
  };
  return { store, poller, events, discarded, put, at, drain };
}

describe('KinesisStreamStore', () => {
  it('numbers records with increasing decimal sequence numbers and stamps their arrival', () => {
    const { store, at } = setup();
    at(T0 + 5);
    const first = store.putRecord('analysis', 'CP-1', 'a');
    const second = store.putRecord('analysis', 'CP-2', new Uint8Array([1, 2]));
    expect(first.shardId).toBe('shardId-000000000000');
    expect(first.sequenceNumber).toMatch(/^\d{56}$/);
    expect(BigInt(second.sequenceNumber) > BigInt(first.sequenceNumber)).toBe(true);
    const pending = store.openReader('analysis', 'TRIM_HORIZON').pending();
    expect(pending.map((record) => [record.partitionKey, [...record.data], record.arrivedAt])).toEqual([
      ['CP-1', [97], T0 + 5],
      ['CP-2', [1, 2], T0 + 5],
    ]);
  });

  it('refuses a stream nobody declared and records Kinesis would refuse', () => {
    const { store } = setup();
    expect(() => store.putRecord('nope', 'k', 'x')).toThrow(KinesisStreamNotFoundError);
    expect(() => store.putRecord('analysis', '', 'x')).toThrow(KinesisRecordInvalidError);
    expect(() => store.putRecord('analysis', 'k'.repeat(257), 'x')).toThrow(KinesisRecordInvalidError);
    expect(() => store.putRecord('analysis', 'k', Buffer.alloc(1024 * 1024 + 1))).toThrow(
      KinesisRecordInvalidError,
    );
  });

  it('reads from LATEST only what is put after the reader opened; from TRIM_HORIZON everything kept', () => {
    const { store, put } = setup();
    put('before');
    const latest = store.openReader('analysis', 'LATEST');
    const horizon = store.openReader('analysis', 'TRIM_HORIZON');
    put('after');
    expect(latest.pending().map((record) => record.data.toString())).toEqual(['after']);
    expect(horizon.pending().map((record) => record.data.toString())).toEqual(['before', 'after']);
  });

  it('drops what every reader has checkpointed, and what is past the retention period', () => {
    let now = T0;
    const store = new KinesisStreamStore({ now: () => now });
    store.declare('short', 1);
    const one = store.openReader('short', 'TRIM_HORIZON');
    const two = store.openReader('short', 'TRIM_HORIZON');
    const a = store.putRecord('short', 'k', 'a');
    store.putRecord('short', 'k', 'b');
    one.checkpoint(a.sequenceNumber);
    expect(two.pending()).toHaveLength(2);
    two.checkpoint(a.sequenceNumber);
    expect(
      store
        .openReader('short', 'TRIM_HORIZON')
        .pending()
        .map((r) => r.data.toString()),
    ).toEqual(['b']);
    now = T0 + 3_600_001;
    store.putRecord('short', 'k', 'c');
    expect(one.pending().map((record) => record.data.toString())).toEqual(['c']);
  });
});

describe('Kinesis event source mapping with tumbling windows', () => {
  it('invokes with Lambda’s Kinesis event and window fields', async () => {
    const { put, at, drain } = setup();
    at(T0 + 1_500);
    const { sequenceNumber } = put('{"n":1}');
    const [event] = await drain();
    expect(event).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'CP-1',
            sequenceNumber,
            data: Buffer.from('{"n":1}').toString('base64'),
            approximateArrivalTimestamp: (T0 + 1_500) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000000:${sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/analyse',
          awsRegion: 'us-east-1',
          eventSourceARN: streamArn,
        },
      ],
      window: { start: '2026-12-07T03:00:00Z', end: '2026-12-07T03:01:00Z' },
      state: {},
      shardId: 'shardId-000000000000',
      eventSourceARN: streamArn,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    });
  });

  it('puts records in the window of their arrival, aligned to the epoch, and never mixes windows in a batch', async () => {
    const { put, at, drain } = setup();
    at(T0 + 59_999);
    put('last of first');
    at(T0 + 60_000);
    put('first of second');
    const events = await drain();
    expect(
      events.map((event) => [event.window, event.Records.map(dataOf), event.isFinalInvokeForWindow]),
    ).toEqual([
      [{ start: '2026-12-07T03:00:00Z', end: '2026-12-07T03:01:00Z' }, ['last of first'], true],
      [{ start: '2026-12-07T03:01:00Z', end: '2026-12-07T03:02:00Z' }, ['first of second'], false],
    ]);
  });

  it('carries the state between a window’s invocations and starts the next window at {}', async () => {
    const { put, at, drain } = setup();
    at(T0 + 1_000);
    put('a');
    await drain();
    at(T0 + 2_000);
    put('b');
    const [second] = await drain();
    expect(second?.state).toEqual({ count: 1, seen: ['a'] });
    at(T0 + 61_000);
    put('c');
    const [final, next] = await drain();
    expect(final).toMatchObject({
      Records: [],
      isFinalInvokeForWindow: true,
      state: { count: 2, seen: ['a', 'b'] },
    });
    expect(next).toMatchObject({ isFinalInvokeForWindow: false, state: {} });
    expect(next?.Records.map(dataOf)).toEqual(['c']);
  });

  it('makes one final invoke per window once it has ended, with no records when none remain', async () => {
    const { put, at, drain, poller } = setup();
    at(T0 + 10_000);
    put('a');
    await drain();
    at(T0 + 59_999);
    expect(await poller.pollOnce()).toEqual({ invoked: false, nextDueAt: T0 + 60_000 });
    at(T0 + 60_000);
    const events = await drain();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Records: [], isFinalInvokeForWindow: true, state: { count: 1 } });
    at(T0 + 200_000);
    expect(await drain()).toEqual([]);
  });

  it('sends a window’s last records with its final invoke when the window ended before they were due', async () => {
    const { put, at, drain } = setup({ batchingWindowMs: 30_000 });
    at(T0 + 50_000);
    put('late');
    at(T0 + 60_000);
    const events = await drain();
    expect(events.map((event) => [event.Records.map(dataOf), event.isFinalInvokeForWindow])).toEqual([
      [['late'], true],
    ]);
  });

  it('waits batchWindow for more records unless the batch is full', async () => {
    const { put, at, poller, drain } = setup({ batchingWindowMs: 5_000, batchSize: 2 });
    at(T0 + 1_000);
    put('a');
    expect(await poller.pollOnce()).toEqual({ invoked: false, nextDueAt: T0 + 6_000 });
    put('b');
    put('c');
    const full = await drain();
    expect(full.map((event) => event.Records.map(dataOf))).toEqual([['a', 'b']]);
    at(T0 + 6_000);
    expect((await drain()).map((event) => event.Records.map(dataOf))).toEqual([['c']]);
  });

  it('delivers in sequence order per partition key, duplicates included as they were put', async () => {
    const { put, at, drain } = setup({ batchSize: 3 });
    at(T0 + 1_000);
    for (const [key, data] of [
      ['CP-1', '1a'],
      ['CP-2', '2a'],
      ['CP-1', '1b'],
      ['CP-1', '1b'],
      ['CP-2', '2b'],
    ])
      put(data as string, key);
    const records = (await drain()).flatMap((event) => event.Records);
    const byKey = (key: string) => records.filter((r) => r.kinesis.partitionKey === key).map(dataOf);
    expect(byKey('CP-1')).toEqual(['1a', '1b', '1b']);
    expect(byKey('CP-2')).toEqual(['2a', '2b']);
    const sequence = records.map((record) => BigInt(record.kinesis.sequenceNumber));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(sequence).size).toBe(5);
  });

  it('retries from the first reported failure with the state the failed invocation was given', async () => {
    let calls = 0;
    const { put, at, drain, discarded } = setup({}, (event) => {
      calls++;
      const counted = counting(event);
      // The second invocation processes its first record, then reports the second and third as failed.
      if (calls === 2 && counted.ok)
        return {
          ok: true,
          result: {
            ...(counted.result as object),
            batchItemFailures: [
              { itemIdentifier: event.Records[2]?.kinesis.sequenceNumber },
              { itemIdentifier: event.Records[1]?.kinesis.sequenceNumber },
            ],
          },
        };
      return counted;
    });
    at(T0 + 1_000);
    put('a');
    await drain();
    put('b');
    put('c');
    put('d');
    const events = await drain();
    expect(events.map((event) => [event.Records.map(dataOf), event.state])).toEqual([
      [['b', 'c', 'd'], { count: 1, seen: ['a'] }],
      [['c', 'd'], { count: 1, seen: ['a'] }],
    ]);
    expect(discarded).toEqual([]);
  });

  it('treats a response without a state as a failed invocation', async () => {
    let calls = 0;
    const { put, at, drain } = setup({}, (event) =>
      ++calls === 1 ? { ok: true, result: {} } : counting(event),
    );
    at(T0 + 1_000);
    put('a');
    const events = await drain();
    expect(events.map((event) => event.Records.map(dataOf))).toEqual([['a'], ['a']]);
  });

  it('bisects a batch on a function error without using retries, isolating the bad record', async () => {
    const poison = (event: KinesisWindowEvent) => event.Records.some((record) => dataOf(record) === 'bad');
    const { put, at, drain, discarded } = setup(
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 },
      (event) =>
        poison(event) ? { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } } : counting(event),
    );
    at(T0 + 1_000);
    for (const data of ['a', 'b', 'bad', 'c']) put(data);
    const events = await drain();
    expect(events.map((event) => event.Records.map(dataOf))).toEqual([
      ['a', 'b', 'bad', 'c'],
      ['a', 'b'],
      ['bad', 'c'],
      ['bad'],
      ['bad'], // its one retry
      ['c'],
    ]);
    // The good halves build on each other's state.
    expect(events[5]?.state).toEqual({ count: 2, seen: ['a', 'b'] });
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      attempts: 2,
      functionFailed: true,
    });
    expect(discarded[0]?.records.map((record) => record.data.toString())).toEqual(['bad']);
  });

  it('after maximumRetryAttempts gives the batch up once and moves on with the state before it', async () => {
    const failing: Respond = (event) =>
      event.Records.length > 0 && dataOf(event.Records[0] as KinesisStreamRecord) === 'x'
        ? { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } }
        : counting(event);
    const { put, at, drain, discarded } = setup({ maximumRetryAttempts: 2 }, failing);
    at(T0 + 1_000);
    put('a');
    await drain();
    put('x');
    put('y');
    at(T0 + 2_000);
    const events = await drain();
    expect(events.map((event) => event.Records.map(dataOf))).toEqual([
      ['x', 'y'],
      ['x', 'y'],
      ['x', 'y'],
    ]);
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      attempts: 3,
      reason: 'Error: boom',
    });
    put('z');
    const [next] = await drain();
    expect(next?.Records.map(dataOf)).toEqual(['z']);
    expect(next?.state).toEqual({ count: 1, seen: ['a'] });
  });

  it('never invokes records older than maximumRecordAgeInSeconds, and stops retrying those that age', async () => {
    let calls = 0;
    let now = T0;
    const { put, at, drain, discarded } = setup(
      { maximumRecordAgeSeconds: 60, maximumRetryAttempts: 5 },
      (event) => {
        calls++;
        // Each failed attempt takes 40 s: the second retry finds the record too old.
        now += 40_000;
        at(now);
        return event.Records.length > 0
          ? { ok: false, error: { errorType: 'Error', errorMessage: 'slow' } }
          : counting(event);
      },
    );
    at(T0 + 1_000);
    now = T0 + 1_000;
    put('old');
    at(T0 + 61_001);
    expect(await drain()).toEqual([]);
    expect(discarded).toMatchObject([{ condition: 'RecordAgeExceeded', attempts: 0 }]);
    now = T0 + 120_000;
    at(now);
    put('aging');
    await drain();
    expect(calls).toBe(2);
    expect(discarded[1]).toMatchObject({ condition: 'RecordAgeExceeded' });
    expect(discarded[1]?.records.map((record) => record.data.toString())).toEqual(['aging']);
  });

  it('terminates a window early when its state passes 1 MB, then goes on with a fresh state', async () => {
    const { put, at, drain } = setup({}, (event) =>
      event.Records.length > 0
        ? { ok: true, result: { state: { big: 'x'.repeat(1024 * 1024 + 1) } } }
        : { ok: true, result: { state: {} } },
    );
    at(T0 + 1_000);
    put('a');
    const events = await drain();
    expect(
      events.map((e) => [e.Records.length, e.isFinalInvokeForWindow, e.isWindowTerminatedEarly]),
    ).toEqual([
      [1, false, false],
      [0, true, true],
    ]);
    put('b');
    const [next] = await drain();
    expect(next).toMatchObject({ state: {}, isFinalInvokeForWindow: false, window: events[0]?.window });
  });
});

describe('Kinesis event source mapping without a tumbling window', () => {
  it('invokes with Records only', async () => {
    const { put, at, drain } = setup({ tumblingWindowSeconds: 0 }, () => ({ ok: true, result: null }));
    at(T0 + 1_000);
    put('a');
    const [event] = await drain();
    expect(Object.keys(event ?? {})).toEqual(['Records']);
  });
});
