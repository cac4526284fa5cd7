import { randomUUID } from 'node:crypto';
import { localAccountId, localRegion } from '../config/local-names.js';
import type { LocalFunction } from '../config/model.js';
import type { LambdaRuntime } from '../lambda/lambda-runtime.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import { type DiscardedBatch, KinesisEventSourcePoller } from './event-source-poller.js';
import { lambdaKinesisRecord } from './lambda-event.js';
import type { KinesisStreamStore, ShardReader } from './stream-store.js';

export interface KinesisMappingsOptions {
  functions: LocalFunction[];
  streams: KinesisStreamStore;
  runtime: Pick<LambdaRuntime, 'invoke'>;
  deadLetters: DeadLetterStore;
  retryDelayMs?: number;
}

/** The running Kinesis event source mappings. */
export interface KinesisMappings {
  pollers: KinesisEventSourcePoller[];
  stop: () => Promise<void>;
}

/**
 * One poller per kinesis `stream` event, reading its stream from LATEST or TRIM_HORIZON as the cloud starts;
 * what a mapping gives up on goes to its on-failure queue as Lambda's batch metadata. A mapping on a stream no
 * service declares fails start-up.
 */
export function startKinesisMappings(options: KinesisMappingsOptions): KinesisMappings {
  const { streams, deadLetters } = options;
  const pollers: KinesisEventSourcePoller[] = [];
  const unsubscribes: (() => void)[] = [];
  for (const fn of options.functions) {
    for (const subscription of fn.kinesisStreams) {
      if (!streams.has(subscription.streamName))
        throw new Error(
          `${fn.id}: kinesis stream event on ${subscription.streamName}, which no service declares (AWS::Kinesis::Stream)`,
        );
      const reader = streams.openReader(subscription.streamName, subscription.startingPosition);
      const invokeIdentityArn = `arn:aws:iam::${localAccountId}:role/${fn.functionName}-${localRegion}-lambdaRole`;
      const poller = new KinesisEventSourcePoller({
        subscription,
        reader,
        invokeIdentityArn,
        invoke: (event) => options.runtime.invoke(fn.id, event),
        onDiscard: (discarded) => {
          const lambdaRecords = discarded.records.map((record) =>
            lambdaKinesisRecord(record, {
              shardId: reader.shardId,
              streamArn: reader.streamArn,
              invokeIdentityArn,
            }),
          );
          deadLetters.add({
            queue: subscription.onFailureQueue ?? `${fn.service}-stream-failures`,
            source: 'stream-on-failure',
            functionId: fn.id,
            reason: discarded.reason,
            payload: lambdaRecords,
            attempts: discarded.attempts,
            firstFailureAt: discarded.firstFailureAt,
            lastFailureAt: discarded.lastFailureAt,
            body: JSON.stringify(kinesisOnFailureRecord(fn, reader, discarded)),
          });
        },
        ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      });
      unsubscribes.push(
        streams.onPut((streamName) => {
          if (streamName === subscription.streamName) poller.nudge();
        }),
      );
      poller.start();
      pollers.push(poller);
    }
  }
  return {
    pollers,
    stop: async () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}

/** Lambda's on-failure record for a Kinesis batch: metadata only, as on AWS (the records stay in the stream). */
export function kinesisOnFailureRecord(
  fn: Pick<LocalFunction, 'functionName'>,
  reader: Pick<ShardReader, 'shardId' | 'streamArn'>,
  discarded: DiscardedBatch,
) {
  const first = discarded.records[0];
  const last = discarded.records.at(-1);
  const arrival = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${localRegion}:${localAccountId}:function:${fn.functionName}`,
      condition: discarded.condition,
      approximateInvokeCount: discarded.attempts,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(discarded.functionFailed ? { functionError: 'Unhandled' } : {}),
    },
    version: '1.0',
    timestamp: discarded.lastFailureAt,
    KinesisBatchInfo: {
      shardId: reader.shardId,
      startSequenceNumber: first?.sequenceNumber,
      endSequenceNumber: last?.sequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first?.arrivedAt),
      approximateArrivalOfLastRecord: arrival(last?.arrivedAt),
      batchSize: discarded.records.length,
      streamArn: reader.streamArn,
    },
    // Local only: a window whose final invoke never succeeded (AWS would hold the shard until it did).
    ...(discarded.window ? { droppedWindow: discarded.window } : {}),
  };
}
