import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DeliveryStreamConfig } from '../config/model.js';
import { compileMetadataQuery, type MetadataQuery, type PartitionKeys } from './metadata-query.js';
import {
  expandPrefix,
  type PrefixPart,
  parsePrefix,
  partitionKeysOf,
  withDefaultTimePrefix,
} from './prefix.js';

/** Where delivered objects go (the local S3). */
export interface ObjectSink {
  putObject: (bucket: string, key: string, body: Buffer) => Promise<void>;
}

export interface DeliveryStreamOptions {
  sink: ObjectSink;
  now?: () => number;
  /** Log line for a delivery that failed (the records stay buffered and are retried at the next flush). */
  onError?: (message: string) => void;
}

interface Partition {
  prefix: string;
  records: Buffer[];
  bytes: number;
  /** Arrival of the oldest buffered record: the object's name and `!{timestamp:…}` use it. */
  firstAt: number;
  timer: NodeJS.Timeout;
}

// Firehose's own error type for a record dynamic partitioning cannot place.
const partitioningFailed = 'partitioning-failed';
const megabyte = 1024 * 1024;
// How long records wait to be placed together: at a thousand records a second, batches of about fifty.
const placingDelayMs = 50;

/**
 * One `AWS::KinesisFirehose::DeliveryStream` (DirectPut → S3): records are buffered per partition (the prefix
 * the metadata query gives them) until `SizeInMBs` or `IntervalInSeconds`, whichever first, then written as one
 * object `<prefix><stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`. A record the query cannot place goes under
 * `ErrorOutputPrefix`. `stop()` flushes everything, so nothing accepted is lost at a clean stop.
 */
export class DeliveryStream {
  private readonly partitions = new Map<string, Partition>();
  private readonly pending = new Set<Promise<void>>();
  /** Records put since the last placing, with their arrival: placed together, one jq run for them all. */
  private queued: { data: Buffer; at: number }[] = [];
  private queuedBytes = 0;
  private placing: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  private constructor(
    readonly config: DeliveryStreamConfig,
    private readonly prefix: PrefixPart[],
    private readonly errorPrefix: PrefixPart[],
    private readonly query: MetadataQuery | undefined,
    private readonly options: DeliveryStreamOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Checks the prefixes and compiles the query at start-up; anything it cannot run fails by name. */
  static async create(config: DeliveryStreamConfig, options: DeliveryStreamOptions): Promise<DeliveryStream> {
    const partitioned = config.metadataExtractionQuery !== undefined;
    const prefix = withDefaultTimePrefix(parsePrefix(config.prefix), partitioned);
    if (!partitioned && partitionKeysOf(prefix).length > 0)
      throw new Error(
        `delivery stream ${config.name}: Prefix names partition keys without dynamic partitioning`,
      );
    const errorPrefix = withDefaultTimePrefix(parsePrefix(config.errorOutputPrefix, true), false);
    const query = partitioned
      ? await compileMetadataQuery(config.metadataExtractionQuery as string, config.name)
      : undefined;
    return new DeliveryStream(config, prefix, errorPrefix, query, options);
  }

  /**
   * PutRecord: the record's bytes as sent (an IoT rule's JSON and its separator). Records are placed in batches,
   * `placingDelayMs` after the first of a batch (sooner once the batch could fill a buffer): jq compiles its
   * program once per batch. Firehose buffers for SizeInMBs or IntervalInSeconds anyway; flush places first.
   */
  putRecord(data: Buffer): void {
    this.queued.push({ data, at: this.now() });
    this.queuedBytes += data.length;
    if (this.queuedBytes >= this.config.bufferSizeMb * megabyte) this.placeQueued();
    else if (!this.placing) {
      this.placing = setTimeout(() => this.placeQueued(), placingDelayMs);
      this.placing.unref();
    }
  }

  /** Partitions the queued records (one metadata query for all of them) and delivers what reached SizeInMBs. */
  private placeQueued(): void {
    clearTimeout(this.placing);
    this.placing = undefined;
    this.queuedBytes = 0;
    const records = this.queued.splice(0);
    if (records.length === 0) return;
    const keys = this.query
      ? queryKeys(
          this.query,
          records.map(({ data }) => parseRecord(data)),
        )
      : [];
    records.forEach(({ data, at }, index) => {
      const partitionKeys = keys[index];
      let prefix: string;
      try {
        if (partitionKeys instanceof Error) throw partitionKeys;
        prefix = expandPrefix(this.prefix, { at: new Date(at), ...(partitionKeys ? { partitionKeys } : {}) });
      } catch {
        prefix = expandPrefix(this.errorPrefix, { at: new Date(at), errorOutputType: partitioningFailed });
      }
      const partition = this.partitions.get(prefix) ?? this.open(prefix, at);
      partition.records.push(data);
      partition.bytes += data.length;
      if (partition.bytes >= this.config.bufferSizeMb * megabyte) this.deliver(partition);
    });
  }

  /** Delivers every buffered partition now (tests; stop). */
  async flush(): Promise<void> {
    this.placeQueued();
    for (const partition of [...this.partitions.values()]) this.deliver(partition);
    await Promise.all(this.pending);
  }

  async stop(): Promise<void> {
    await this.flush();
  }

  private open(prefix: string, at: number): Partition {
    const partition: Partition = {
      prefix,
      records: [],
      bytes: 0,
      firstAt: at,
      timer: setTimeout(() => this.deliver(partition), this.config.bufferIntervalS * 1000),
    };
    partition.timer.unref();
    this.partitions.set(prefix, partition);
    return partition;
  }

  private deliver(partition: Partition): void {
    clearTimeout(partition.timer);
    if (this.partitions.get(partition.prefix) === partition) this.partitions.delete(partition.prefix);
    const body = Buffer.concat(partition.records);
    const key = `${partition.prefix}${objectName(this.config, partition.firstAt)}`;
    const delivery = this.options.sink
      .putObject(this.config.bucketName, key, this.config.gzip ? gzipSync(body) : body)
      .catch((error: unknown) => {
        this.options.onError?.(`delivery stream ${this.config.name}: ${key}: ${String(error)}`);
        // Kept for the next flush, as Firehose retries delivery.
        for (const record of partition.records) this.putBack(partition.prefix, record, partition.firstAt);
      });
    this.pending.add(delivery);
    delivery.finally(() => this.pending.delete(delivery));
  }

  private putBack(prefix: string, record: Buffer, at: number): void {
    const partition = this.partitions.get(prefix) ?? this.open(prefix, at);
    partition.records.push(record);
    partition.bytes += record.length;
  }
}

/** `<stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`: Firehose's object name (version 1 of the stream). */
export function objectName(config: Pick<DeliveryStreamConfig, 'name' | 'gzip'>, at: number): string {
  const time = new Date(at).toISOString().slice(0, 19).replace('T', '-').replace(/:/g, '-');
  return `${config.name}-1-${time}-${randomUUID()}${config.gzip ? '.gz' : ''}`;
}

/** Each record's partition keys, or why it cannot be placed: one query run for the records that parsed. */
function queryKeys(query: MetadataQuery, parsed: unknown[]): (PartitionKeys | Error)[] {
  const results = query(parsed.filter((record) => !(record instanceof Error)));
  let next = 0;
  return parsed.map((record) =>
    record instanceof Error ? record : (results[next++] as PartitionKeys | Error),
  );
}

/** A record's JSON, or why it has none (it goes under ErrorOutputPrefix). */
function parseRecord(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (error) {
    return error as Error;
  }
}
