import { afterEach, describe, expect, it } from '@jest/globals';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { KinesisSubscription, LocalFunction } from '../../src/config/model.js';
import { type KinesisMappings, KinesisStreamStore, startKinesisMappings } from '../../src/kinesis/index.js';
import type { KinesisWindowEvent } from '../../src/kinesis/lambda-event.js';
import type { InvocationOutcome } from '../../src/lambda/function-worker.js';
import { type DeadLetterRecord, DeadLetterStore } from '../../src/state/dead-letters.js';

const subscription: KinesisSubscription = {
  streamName: 'analysis',
  batchSize: 10,
  batchingWindowMs: 0,
  startingPosition: 'LATEST',
  tumblingWindowSeconds: 900,
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: 2,
  onFailureQueue: 'telemetry-local-dead-letters',
};

const analyse = {
  id: 'telemetry.analyse',
  service: 'telemetry',
  functionName: 'telemetry-local-analyse',
  kinesisStreams: [subscription],
} as LocalFunction;

const dataOf = (record: KinesisStreamRecord) => Buffer.from(record.kinesis.data, 'base64').toString('utf8');

let mappings: KinesisMappings | undefined;
afterEach(async () => {
  await mappings?.stop();
  mappings = undefined;
});

/** The mappings over a fresh store, the function failing on records whose data is 'bad'. */
function start(now: () => number = Date.now) {
  const streams = new KinesisStreamStore({ now });
  streams.declare('analysis');
  const deadLetters = new DeadLetterStore();
  const invoked: { functionId: string; event: KinesisWindowEvent }[] = [];
  const waiting: ((event: KinesisWindowEvent) => void)[] = [];
  const runtime = {
    invoke: async (functionId: string, event: unknown): Promise<InvocationOutcome> => {
      const windowEvent = event as KinesisWindowEvent;
      invoked.push({ functionId, event: windowEvent });
      for (const resolve of waiting.splice(0)) resolve(windowEvent);
      return windowEvent.Records.some((record) => dataOf(record) === 'bad')
        ? { ok: false, error: { errorType: 'Error', errorMessage: 'bad record' } }
        : { ok: true, result: { state: {}, batchItemFailures: [] } };
    },
  };
  mappings = startKinesisMappings({ functions: [analyse], streams, runtime, deadLetters, retryDelayMs: 0 });
  const nextInvocation = () => new Promise<KinesisWindowEvent>((resolve) => waiting.push(resolve));
  const nextDeadLetter = () =>
    new Promise<DeadLetterRecord>((resolve) => {
      const off = deadLetters.onAdded((letter) => {
        off();
        resolve(letter);
      });
    });
  return { streams, deadLetters, invoked, nextInvocation, nextDeadLetter };
}

describe('Kinesis event source mappings in the cloud', () => {
  it('wakes on a put and invokes the function of the mapping', async () => {
    const { streams, nextInvocation, invoked } = start();
    const seen = nextInvocation();
    streams.putRecord('analysis', 'CP-1', '{"a":1}');
    expect((await seen).Records.map(dataOf)).toEqual(['{"a":1}']);
    expect(invoked.map((call) => call.functionId)).toEqual(['telemetry.analyse']);
  });

  it('after the retries sends Lambda’s batch metadata to the on-failure queue, once, and goes on', async () => {
    const arrivedAt = Date.now();
    const { streams, deadLetters, invoked, nextInvocation, nextDeadLetter } = start(() => arrivedAt);
    const letter = nextDeadLetter();
    const bad = streams.putRecord('analysis', 'CP-1', 'bad');
    const worse = streams.putRecord('analysis', 'CP-2', 'bad');
    const dead = await letter;
    expect(dead).toMatchObject({
      queue: 'telemetry-local-dead-letters',
      source: 'stream-on-failure',
      functionId: 'telemetry.analyse',
      reason: 'Error: bad record',
      attempts: 3,
    });
    expect(JSON.parse(dead.body)).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:telemetry-local-analyse',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: bad.sequenceNumber,
        endSequenceNumber: worse.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(arrivedAt).toISOString(),
        approximateArrivalOfLastRecord: new Date(arrivedAt).toISOString(),
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/analysis',
      },
    });
    expect((dead.payload as KinesisStreamRecord[]).map(dataOf)).toEqual(['bad', 'bad']);
    const after = nextInvocation();
    streams.putRecord('analysis', 'CP-1', 'good');
    expect((await after).Records.map(dataOf)).toEqual(['good']);
    expect(deadLetters.list()).toHaveLength(1);
    expect(invoked).toHaveLength(4);
  });

  it('fails start-up on a mapping whose stream no service declares', () => {
    const streams = new KinesisStreamStore();
    expect(() =>
      startKinesisMappings({
        functions: [analyse],
        streams,
        runtime: { invoke: async () => ({ ok: true, result: null }) },
        deadLetters: new DeadLetterStore(),
      }),
    ).toThrow(/telemetry\.analyse: kinesis stream event on analysis, which no service declares/);
  });
});
