import {
  DescribeTableCommand,
  DynamoDBClient,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb';
import * as streams from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';

interface DescribeStreamOutput {
  StreamDescription?: { Shards?: { ShardId?: string }[] };
}
interface SdkRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion?: string;
  awsRegion?: string;
  dynamodb?: {
    ApproximateCreationDateTime?: Date;
    Keys?: Record<string, SdkAttributeValue>;
    NewImage?: Record<string, SdkAttributeValue>;
    OldImage?: Record<string, SdkAttributeValue>;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  };
}
interface GetRecordsOutput {
  Records?: SdkRecord[];
  NextShardIterator?: string;
}

/** Reads a DynamoDB Local table's stream as Lambda would receive it; each read returns only new records. */
export interface TableStreamReader {
  streamArn: string;
  readNew: (options?: { atLeast?: number; timeoutMs?: number }) => Promise<DynamoDBRecord[]>;
  close: () => void;
}

export async function openTableStream(tableName: string): Promise<TableStreamReader> {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const clientConfig = {
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const dynamodb = new DynamoDBClient(clientConfig);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  dynamodb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const client = new streams.DynamoDBStreamsClient(clientConfig);
  const iterators = new Map<string, string | undefined>();
  /** The last sequence number read per shard: where a renewed iterator starts. */
  const lastRead = new Map<string, string>();
  const iteratorFor = async (shardId: string) => {
    const last = lastRead.get(shardId);
    const { ShardIterator } = (await client.send(
      new streams.GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(last
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    )) as { ShardIterator?: string };
    return ShardIterator;
  };
  // DynamoDB Local answers TrimmedDataAccessException for an iterator taken on an empty shard once the first
  // record lands (a known DynamoDB Local bug; the local cloud's poller renews its iterator alike).
  const getRecords = async (shardId: string, iterator: string): Promise<GetRecordsOutput> => {
    try {
      return (await client.send(
        new streams.GetRecordsCommand({ ShardIterator: iterator }),
      )) as GetRecordsOutput;
    } catch (error) {
      if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
      const renewed = await iteratorFor(shardId);
      return renewed
        ? ((await client.send(new streams.GetRecordsCommand({ ShardIterator: renewed }))) as GetRecordsOutput)
        : {};
    }
  };

  const readOnce = async (): Promise<DynamoDBRecord[]> => {
    const { StreamDescription } = (await client.send(
      new streams.DescribeStreamCommand({ StreamArn: streamArn }),
    )) as DescribeStreamOutput;
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      iterators.set(shard.ShardId, await iteratorFor(shard.ShardId));
    }
    const records: DynamoDBRecord[] = [];
    for (const [shardId, iterator] of iterators) {
      let next = iterator;
      while (next) {
        const page = await getRecords(shardId, next);
        const read = page.Records ?? [];
        records.push(...read.map((record) => lambdaRecordOf(record, streamArn)));
        const last = read.at(-1)?.dynamodb?.SequenceNumber;
        if (last) lastRead.set(shardId, last);
        next = page.NextShardIterator;
        if (read.length === 0) break;
      }
      iterators.set(shardId, next);
    }
    return records.sort((a, b) => compareSequence(a.dynamodb?.SequenceNumber, b.dynamodb?.SequenceNumber));
  };

  return {
    streamArn,
    readNew: async ({ atLeast = 1, timeoutMs = 5_000 } = {}) => {
      const deadline = Date.now() + timeoutMs;
      const records = await readOnce();
      while (records.length < atLeast && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        records.push(...(await readOnce()));
      }
      return records;
    },
    close: () => client.destroy(),
  };
}

function compareSequence(a = '', b = ''): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function lambdaRecordOf(record: SdkRecord, streamArn: string): DynamoDBRecord {
  const change = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(change?.ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
      Keys: imageOf(change?.Keys),
      ...(change?.NewImage ? { NewImage: imageOf(change.NewImage) } : {}),
      ...(change?.OldImage ? { OldImage: imageOf(change.OldImage) } : {}),
      SequenceNumber: change?.SequenceNumber,
      SizeBytes: change?.SizeBytes,
      StreamViewType: change?.StreamViewType,
    },
  };
}

function imageOf(image: Record<string, SdkAttributeValue> | undefined): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image ?? {}).map(([name, value]) => [name, lambdaValueOf(value)]));
}

/** SDK attribute values carry binary as bytes; Lambda's JSON event carries it as base64. */
function lambdaValueOf(value: SdkAttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.M !== undefined) return { M: imageOf(value.M) };
  if (value.L !== undefined) return { L: value.L.map(lambdaValueOf) };
  return value as LambdaAttributeValue;
}
