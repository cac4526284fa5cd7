import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamSubscription } from '../config/model.js';
import {
  type BatchDeliveryDeps,
  deliverBatch,
  type FailedBatch,
  type LambdaStreamRecord,
} from './batch-delivery.js';
import { matchesAnyPattern } from './event-filter.js';

export interface StreamPollerOptions {
  subscription: StreamSubscription;
  dynamodb: DynamoDBClient;
  endpoint: string;
  invoke: BatchDeliveryDeps['invoke'];
  onFailure: (failed: FailedBatch & { shardId: string; streamArn: string }) => void;
  /** Records read from the stream, and of them those delivered (matching the event's filterPatterns). */
  onRecords?: (read: number, delivered: number) => void;
  pollIntervalMs?: number;
  retryDelayMs?: number;
  /** Where delivery stopped in an earlier run (`--data-dir`): each shard resumes after its last delivered batch. */
  checkpoints?: ShardCheckpoints;
}

/** The last sequence number delivered per shard, kept across restarts. */
export interface ShardCheckpoints {
  get(shardId: string): string | undefined;
  set(shardId: string, sequenceNumber: string): void;
  /** A restart: shards without a checkpoint are read from their start, so nothing written meanwhile is missed. */
  readonly resuming: boolean;
}

interface ShardState {
  iterator: string | undefined;
  /** The last sequence number delivered, to resume after an expired iterator without replaying. */
  lastSequenceNumber?: string;
}

// GetRecords' page size (DynamoDB's maximum).
const getRecordsLimit = 1000;

/** Polls DynamoDB Local's stream for one subscription (one event source mapping) and delivers batches per shard. */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardState>();
  private streamArn = '';
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Takes LATEST (or TRIM_HORIZON) iterators on every open shard before returning, so later writes are seen. */
  async start(): Promise<void> {
    const { Table } = await this.options.dynamodb.send(
      new DescribeTableCommand({ TableName: this.options.subscription.tableName }),
    );
    if (!Table?.LatestStreamArn)
      throw new Error(`table ${this.options.subscription.tableName} has no stream`);
    this.streamArn = Table.LatestStreamArn;
    const { checkpoints } = this.options;
    await this.discoverShards(
      checkpoints?.resuming ? 'TRIM_HORIZON' : this.options.subscription.startingPosition,
      checkpoints,
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.streams.destroy();
  }

  private async run(): Promise<void> {
    const intervalMs = this.options.pollIntervalMs ?? 100;
    let sinceDiscovery = 0;
    while (!this.stopped) {
      const startedAt = Date.now();
      let backlog = false;
      for (const [shardId, shard] of this.shards) {
        const count = await this.pollShard(shardId, shard).catch(() => this.renewIterator(shardId, shard));
        if (count >= getRecordsLimit) backlog = true;
      }
      if (++sinceDiscovery >= 10) {
        sinceDiscovery = 0;
        await this.discoverShards('TRIM_HORIZON').catch(() => undefined);
      }
      // Like Lambda's event source mapping (a few polls a second per shard), polls are paced even while
      // records flow: a busy table then yields full batches instead of one GetRecords (and one invocation)
      // per handful of records. A full page means a backlog, which is read again at once.
      const waitMs = intervalMs - (Date.now() - startedAt);
      if (!backlog && waitMs > 0 && !this.stopped) await sleep(waitMs);
    }
  }

  private async discoverShards(
    position: 'LATEST' | 'TRIM_HORIZON',
    checkpoints?: ShardCheckpoints,
  ): Promise<void> {
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId)) continue;
      const checkpoint = checkpoints?.get(shardId);
      // A closed shard is read only to finish what an earlier run left of it.
      if (shard.SequenceNumberRange?.EndingSequenceNumber && !checkpoint) continue;
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(checkpoint
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
            : { ShardIteratorType: position }),
        }),
      );
      this.shards.set(shardId, {
        iterator: ShardIterator,
        ...(checkpoint ? { lastSequenceNumber: checkpoint } : {}),
      });
    }
  }

  /** After a failed GetRecords (e.g. an expired iterator): resume after the last delivered record. */
  private async renewIterator(shardId: string, shard: ShardState): Promise<number> {
    try {
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(shard.lastSequenceNumber
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      shard.iterator = ShardIterator;
    } catch {
      // The shard is gone (trimmed); discovery picks up its children.
      this.shards.delete(shardId);
    }
    return 0;
  }

  private async pollShard(shardId: string, shard: ShardState): Promise<number> {
    if (!shard.iterator) {
      this.shards.delete(shardId);
      return 0;
    }
    const { Records, NextShardIterator } = await this.streams.send(
      new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: getRecordsLimit }),
    );
    shard.iterator = NextShardIterator;
    const read = (Records ?? []).map((record) => toLambdaRecord(record, this.streamArn));
    const last = read.at(-1)?.dynamodb.SequenceNumber;
    if (last) shard.lastSequenceNumber = last;
    // Lambda event filtering: only records matching one of the event's filterPatterns are delivered.
    const { batchSize, filterPatterns } = this.options.subscription;
    const records = read.filter((record) => matchesAnyPattern(filterPatterns, record));
    if (read.length > 0) this.options.onRecords?.(read.length, records.length);
    let allFinished = true;
    for (let start = 0; start < records.length && !this.stopped; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      const finished = await deliverBatch(batch, this.options.subscription, {
        invoke: this.options.invoke,
        onFailure: (failed) => this.options.onFailure({ ...failed, shardId, streamArn: this.streamArn }),
        retryDelayMs: this.options.retryDelayMs ?? 100,
        isStopped: () => this.stopped,
      });
      allFinished &&= finished;
      const delivered = batch.at(-1)?.dynamodb.SequenceNumber;
      if (finished && delivered) this.options.checkpoints?.set(shardId, delivered);
    }
    // Records filtered out after the last delivered one are done too: the checkpoint moves past them.
    if (allFinished && !this.stopped && last) this.options.checkpoints?.set(shardId, last);
    return read.length;
  }
}

function toLambdaRecord(record: _Record, streamArn: string): LambdaStreamRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? '',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
      ...dynamodb,
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
