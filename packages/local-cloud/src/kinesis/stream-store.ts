import { kinesisStreamArn } from '../config/local-names.js';

/** One record as the stream holds it. */
export interface StoredKinesisRecord {
  /** Decimal digits, increasing in the order the stream took the records. */
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  /** Epoch ms the stream took the record (what Lambda passes on as approximateArrivalTimestamp). */
  arrivedAt: number;
}

export interface PutRecordResult {
  shardId: string;
  sequenceNumber: string;
}

/** A consumer's position in a stream's shard: what it has not checkpointed yet. */
export interface ShardReader {
  readonly shardId: string;
  readonly streamArn: string;
  /** Records after the last checkpoint, oldest first. */
  pending(): readonly StoredKinesisRecord[];
  /** Everything up to and including this sequence number is done with. */
  checkpoint(sequenceNumber: string): void;
}

/** Kinesis's own name for it: a PutRecord to a stream that does not exist. */
export class KinesisStreamNotFoundError extends Error {
  override name = 'ResourceNotFoundException';
}

/** Kinesis's PutRecord limits, refused as the service refuses them. */
export class KinesisRecordInvalidError extends Error {
  override name = 'ValidationException';
}

// Every stream has this one shard: one shard keeps every partition key in order, which is all Lambda promises.
export const localShardId = 'shardId-000000000000';
// The shape of real sequence numbers (56 digits), so that code comparing them as strings works too.
const firstSequenceNumber = 49n * 10n ** 54n;
const maxDataBytes = 1024 * 1024;
const maxPartitionKeyLength = 256;

interface LocalStream {
  records: StoredKinesisRecord[];
  retentionMs: number;
  readers: Set<{ after: bigint }>;
}

export interface KinesisStreamStoreOptions {
  /** The clock records are stamped with (tests pass their own). */
  now?: () => number;
}

/** The local Kinesis Data Streams: streams by name, one shard each, records kept until every reader is past them. */
export class KinesisStreamStore {
  private readonly streams = new Map<string, LocalStream>();
  private readonly listeners = new Set<(streamName: string) => void>();
  private nextSequenceNumber = firstSequenceNumber;
  private readonly now: () => number;

  constructor(options: KinesisStreamStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Creates the stream (an `AWS::Kinesis::Stream`); RetentionPeriodHours defaults to Kinesis's 24. */
  declare(streamName: string, retentionHours = 24): void {
    if (!this.streams.has(streamName))
      this.streams.set(streamName, {
        records: [],
        retentionMs: retentionHours * 3_600_000,
        readers: new Set(),
      });
  }

  has(streamName: string): boolean {
    return this.streams.has(streamName);
  }

  names(): string[] {
    return [...this.streams.keys()];
  }

  /** Kinesis PutRecord: a string is sent as its UTF-8 bytes. */
  putRecord(streamName: string, partitionKey: string, data: string | Uint8Array): PutRecordResult {
    const stream = this.streamNamed(streamName);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    if (partitionKey.length < 1 || partitionKey.length > maxPartitionKeyLength)
      throw new KinesisRecordInvalidError(`partition key must be 1 to ${maxPartitionKeyLength} characters`);
    if (bytes.length > maxDataBytes)
      throw new KinesisRecordInvalidError(`record data of ${bytes.length} bytes is over 1 MiB`);
    const sequenceNumber = String(this.nextSequenceNumber++);
    stream.records.push({ sequenceNumber, partitionKey, data: bytes, arrivedAt: this.now() });
    this.trim(stream);
    for (const listener of this.listeners) listener(streamName);
    return { shardId: localShardId, sequenceNumber };
  }

  /** A reader from the stream's oldest record (TRIM_HORIZON) or from the next one put (LATEST). */
  openReader(streamName: string, position: 'LATEST' | 'TRIM_HORIZON'): ShardReader {
    const stream = this.streamNamed(streamName);
    const latest = stream.records.at(-1)?.sequenceNumber;
    const cursor = { after: position === 'LATEST' && latest ? BigInt(latest) : 0n };
    stream.readers.add(cursor);
    return {
      shardId: localShardId,
      streamArn: kinesisStreamArn(streamName),
      pending: () => {
        const start = stream.records.findIndex((record) => BigInt(record.sequenceNumber) > cursor.after);
        return start < 0 ? [] : stream.records.slice(start);
      },
      checkpoint: (sequenceNumber) => {
        const position = BigInt(sequenceNumber);
        if (position > cursor.after) cursor.after = position;
        this.trim(stream);
      },
    };
  }

  /** Called after each put with the stream's name (pollers wake on it instead of polling). */
  onPut(listener: (streamName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private streamNamed(streamName: string): LocalStream {
    const stream = this.streams.get(streamName);
    if (!stream) throw new KinesisStreamNotFoundError(`Stream ${streamName} not found`);
    return stream;
  }

  /** Drops records past retention, and those every reader has checkpointed (nothing else reads them locally). */
  private trim(stream: LocalStream): void {
    const expiredBefore = this.now() - stream.retentionMs;
    let slowest: bigint | undefined;
    for (const reader of stream.readers)
      if (slowest === undefined || reader.after < slowest) slowest = reader.after;
    let drop = 0;
    for (const record of stream.records) {
      const readByAll = slowest !== undefined && BigInt(record.sequenceNumber) <= slowest;
      if (record.arrivedAt >= expiredBefore && !readByAll) break;
      drop++;
    }
    if (drop > 0) stream.records.splice(0, drop);
  }
}
