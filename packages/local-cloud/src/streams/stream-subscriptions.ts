import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalFunction } from '../config/model.js';
import type { LambdaRuntime } from '../lambda/lambda-runtime.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { PersistentStore } from '../state/persistence.js';
import type { CloudStats } from '../state/stats.js';
import type { FailedBatch } from './batch-delivery.js';
import { type ShardCheckpoints, StreamPoller } from './stream-poller.js';

export interface StreamSubscriptionsOptions {
  functions: LocalFunction[];
  /** The local table every stream event reads (the storage table). */
  tableName: string;
  dynamodb: DynamoDBClient;
  endpoint: string;
  runtime: LambdaRuntime;
  deadLetters: DeadLetterStore;
  stats: CloudStats;
  /** Kept across restarts with `--data-dir`; absent, every poller starts at its configured position. */
  checkpoints?: StreamCheckpoints;
}

/** Every event source mapping's last delivered sequence number per shard. */
export class StreamCheckpoints implements PersistentStore<Record<string, Record<string, string>>> {
  private positions: Record<string, Record<string, string>> = {};
  version = 0;
  resuming = false;

  snapshot(): Record<string, Record<string, string>> {
    return this.positions;
  }

  restore(snapshot: Record<string, Record<string, string>>): void {
    this.positions = snapshot;
    this.resuming = true;
  }

  /** The checkpoints of one event source mapping. */
  of(mapping: string): ShardCheckpoints {
    return {
      get: (shardId) => this.positions[mapping]?.[shardId],
      set: (shardId, sequenceNumber) => {
        this.positions[mapping] = { ...this.positions[mapping], [shardId]: sequenceNumber };
        this.version++;
      },
      resuming: this.resuming,
    };
  }
}

/** One poller per `stream` event (an event source mapping), with failed batches kept as dead letters. */
export async function startStreamSubscriptions(options: StreamSubscriptionsOptions): Promise<StreamPoller[]> {
  const pollers: StreamPoller[] = [];
  for (const fn of options.functions) {
    for (const [index, subscription] of fn.streams.entries()) {
      const poller = new StreamPoller({
        ...(options.checkpoints ? { checkpoints: options.checkpoints.of(`${fn.id}#${index}`) } : {}),
        subscription: { ...subscription, tableName: options.tableName },
        dynamodb: options.dynamodb,
        endpoint: options.endpoint,
        invoke: (event) => options.runtime.invoke(fn.id, event),
        onRecords: (read, delivered) => {
          options.stats.streamRecords += read;
          options.stats.streamRecordsFilteredOut += read - delivered;
        },
        onFailure: (failed) =>
          options.deadLetters.add({
            queue: subscription.onFailureQueue ?? `${fn.service}-stream-failures`,
            source: 'stream-on-failure',
            functionId: fn.id,
            reason: failed.reason,
            payload: failed.records,
            attempts: failed.attempts,
            firstFailureAt: failed.firstFailureAt,
            lastFailureAt: failed.lastFailureAt,
            body: JSON.stringify(onFailureRecord(fn, failed)),
          }),
      });
      await poller.start();
      pollers.push(poller);
    }
  }
  return pollers;
}

/** Lambda's on-failure record for streams, plus the records themselves (which AWS leaves out). */
function onFailureRecord(fn: LocalFunction, failed: FailedBatch & { shardId: string; streamArn: string }) {
  return {
    requestContext: {
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn.functionName}`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: failed.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: failed.lastFailureAt,
    DDBStreamBatchInfo: {
      shardId: failed.shardId,
      startSequenceNumber: failed.records[0]?.dynamodb.SequenceNumber,
      endSequenceNumber: failed.records.at(-1)?.dynamodb.SequenceNumber,
      batchSize: failed.records.length,
      streamArn: failed.streamArn,
    },
    records: failed.records,
  };
}
