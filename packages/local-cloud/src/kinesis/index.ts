/**
 * The local Kinesis Data Streams and Lambda's Kinesis event source mappings (README.md in this folder says what is
 * emulated and what is simplified).
 *
 * For the rules engine (an IoT rule's `Kinesis` action) and tests: the running cloud's `KinesisStreamStore`
 * (`cloud.kinesis`) takes `putRecord(streamName, partitionKey, data)`, where `data` is a string (sent as UTF-8)
 * or bytes, and answers `{ shardId, sequenceNumber }`. It throws `KinesisStreamNotFoundError` (name
 * `ResourceNotFoundException`) for a stream no service declares and `KinesisRecordInvalidError` (name
 * `ValidationException`) for an empty or over-256-character partition key or data over 1 MiB, as Kinesis
 * refuses them: a rule's errorAction should fire on either. `has(streamName)` tells whether a stream is declared.
 * Streams are every `AWS::Kinesis::Stream` resource of the services that run, by their `Name` (else logical id).
 */

export { type KinesisMappings, startKinesisMappings } from './event-source-mappings.js';
export {
  KinesisRecordInvalidError,
  KinesisStreamNotFoundError,
  KinesisStreamStore,
  type PutRecordResult,
  type ShardReader,
  type StoredKinesisRecord,
} from './stream-store.js';
