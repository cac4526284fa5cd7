// AWS list prices used by the cost model (cost.ts). On-demand, us-east-1, no free tier, as read on the
// pricing pages below on PRICES_AS_OF. Change them here, with the date, when AWS changes them.

export const PRICES_AS_OF = '2026-11-25';
export const PRICES_REGION = 'us-east-1';

export const PRICE_SOURCES = {
  iotCore: 'https://aws.amazon.com/iot-core/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  dynamodbNov2024Cut:
    'https://aws.amazon.com/blogs/database/new-amazon-dynamodb-lowers-pricing-for-on-demand-throughput-and-global-tables/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  cloudwatchLogs: 'https://aws.amazon.com/cloudwatch/pricing/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
  kinesis: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  athena: 'https://aws.amazon.com/athena/pricing/',
} as const;

export const PRICES = {
  /** IoT Core messaging: per million messages, metered in 5 KB units (first tier, up to 1 billion). */
  iotMessagesPerMillion: 1.0,
  iotMessageUnitBytes: 5 * 1024,
  /** IoT Core connectivity: per million connection-minutes. */
  iotConnectivityPerMillionMinutes: 0.08,
  /** IoT Core rules engine: per million rules triggered, and per million actions applied. */
  iotRulesTriggeredPerMillion: 0.15,
  iotRuleActionsPerMillion: 0.15,
  /** Lambda: per million requests, and per GB-second on arm64 (first tier). */
  lambdaRequestsPerMillion: 0.2,
  lambdaArm64PerGbSecond: 0.0000133334,
  /** DynamoDB on-demand after the November 2024 cut: per million write / read request units. */
  dynamodbWriteRequestUnitsPerMillion: 0.625,
  dynamodbReadRequestUnitsPerMillion: 0.125,
  /** SNS: per million publish requests (64 KB chunks). */
  snsPublishesPerMillion: 0.5,
  /** CloudWatch Logs: per GB ingested (Standard class; Lambda's vended-log first tier), storage left out. */
  logsIngestionPerGb: 0.5,
  /** Bytes CloudWatch Logs counts per log event on top of its message (its event-size rule). */
  logsEventOverheadBytes: 26,
} as const;

/** The telemetry service's archive and analysis path (optional per deploy), same date and region. */
export const TELEMETRY_PRICES = {
  /** Firehose Direct PUT ingestion: per GB, each record rounded up to 5 KB. */
  firehoseIngestionPerGb: 0.029,
  firehoseRecordUnitBytes: 5 * 1024,
  /** Firehose dynamic partitioning: per GB processed, per 1,000 S3 objects delivered, per JQ processing hour. */
  firehosePartitioningPerGb: 0.02,
  firehosePerThousandObjects: 0.005,
  firehoseJqPerHour: 0.07,
  /** S3 Standard storage per GB-month; PUT requests per 1,000. */
  s3StoragePerGbMonth: 0.023,
  s3PutsPerThousand: 0.005,
  /** Kinesis Data Streams on demand: per stream-hour and per GB written; provisioned: per shard-hour and per million PUT payload units (25 KB each). */
  kinesisOnDemandPerStreamHour: 0.04,
  kinesisOnDemandPerGbIn: 0.08,
  kinesisShardHour: 0.015,
  kinesisPutUnitsPerMillion: 0.014,
  /** Athena: per TB scanned, at least 10 MB a query. */
  athenaPerTbScanned: 5,
} as const;

/** For comparison only: what the AWS OCPP gateway sample states per charger-month (from the issue text). */
export const OCPP_GATEWAY_SAMPLE = {
  usdPerChargerMonth: 0.35,
  source: 'https://github.com/aws-samples/aws-ocpp-gateway',
} as const;
