import type { KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { localRegion } from '../config/local-names.js';
import type { StoredKinesisRecord } from './stream-store.js';

/** A tumbling window as Lambda names it: ISO start and end. */
export interface TumblingWindow {
  start: string;
  end: string;
}

/** What the function receives with a tumbling window (the aws-lambda type lacks shardId and eventSourceARN). */
export type KinesisWindowEvent = KinesisStreamTumblingWindowEvent & {
  shardId: string;
  eventSourceARN: string;
};

export type KinesisLambdaEvent = { Records: KinesisStreamRecord[] } | KinesisWindowEvent;

/** Where a mapping's records come from and who reads them: the fields every record repeats. */
export interface RecordSource {
  shardId: string;
  streamArn: string;
  invokeIdentityArn: string;
}

/** Lambda's Kinesis record: the data base64, the arrival in epoch seconds. */
export function lambdaKinesisRecord(record: StoredKinesisRecord, source: RecordSource): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: record.data.toString('base64'),
      approximateArrivalTimestamp: record.arrivedAt / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${source.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: localRegion,
    eventSourceARN: source.streamArn,
  };
}

/** The epoch start (ms) of the window a record arriving at `arrivedAt` belongs to: windows tile time from 1970. */
export function windowStartOf(arrivedAt: number, windowMs: number): number {
  return Math.floor(arrivedAt / windowMs) * windowMs;
}

/** Lambda writes window bounds to the second, without milliseconds. */
export function tumblingWindow(startMs: number, windowMs: number): TumblingWindow {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { start: iso(startMs), end: iso(startMs + windowMs) };
}
