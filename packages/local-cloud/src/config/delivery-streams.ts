import { bucketNameFromArn } from './local-names.js';
import type { DeliveryStreamConfig } from './model.js';

// What the local Firehose runs of a delivery stream; the others are AWS-side settings with no local effect.
const destinationProperties = new Set([
  'BucketARN',
  'Prefix',
  'ErrorOutputPrefix',
  'CompressionFormat',
  'BufferingHints',
  'DynamicPartitioningConfiguration',
  'ProcessingConfiguration',
  'RoleARN',
  'CloudWatchLoggingOptions',
  'EncryptionConfiguration',
]);
const streamProperties = new Set([
  'DeliveryStreamName',
  'DeliveryStreamType',
  'ExtendedS3DestinationConfiguration',
  'DeliveryStreamEncryptionConfigurationInput',
  'Tags',
]);

/** An `AWS::KinesisFirehose::DeliveryStream` (DirectPut → extended S3) → what the local Firehose runs; else fails by name. */
export function deliveryStreamFrom(
  logicalId: string,
  properties: Record<string, unknown>,
  resolve: (value: unknown) => unknown,
): DeliveryStreamConfig {
  const name = String(properties.DeliveryStreamName ?? logicalId);
  const fail = (what: string) =>
    new Error(`delivery stream ${name}: ${what} is not emulated by the local cloud`);
  for (const key of Object.keys(properties)) if (!streamProperties.has(key)) throw fail(key);
  if ((properties.DeliveryStreamType ?? 'DirectPut') !== 'DirectPut')
    throw fail(`DeliveryStreamType ${String(properties.DeliveryStreamType)}`);
  const destination = properties.ExtendedS3DestinationConfiguration as Record<string, unknown> | undefined;
  if (!destination) throw fail('a destination other than ExtendedS3DestinationConfiguration');
  for (const key of Object.keys(destination))
    if (!destinationProperties.has(key)) throw fail(`ExtendedS3DestinationConfiguration.${key}`);
  const bucketArn = String(resolve(destination.BucketARN));
  const bucketName = bucketNameFromArn(bucketArn);
  if (!bucketName) throw fail(`BucketARN ${bucketArn}`);
  const compression = String(destination.CompressionFormat ?? 'UNCOMPRESSED');
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED')
    throw fail(`CompressionFormat ${compression}`);
  const hints = (destination.BufferingHints ?? {}) as { IntervalInSeconds?: unknown; SizeInMBs?: unknown };
  const config: DeliveryStreamConfig = {
    name,
    bucketName,
    prefix: String(resolve(destination.Prefix ?? '')),
    errorOutputPrefix: String(resolve(destination.ErrorOutputPrefix ?? '')),
    // Firehose's defaults: 300 s, 5 MB.
    bufferIntervalS: Number(hints.IntervalInSeconds ?? 300),
    bufferSizeMb: Number(hints.SizeInMBs ?? 5),
    gzip: compression === 'GZIP',
  };
  const partitioning = destination.DynamicPartitioningConfiguration as { Enabled?: unknown } | undefined;
  if (partitioning?.Enabled === true || partitioning?.Enabled === 'true') {
    const query = metadataExtractionQuery(destination.ProcessingConfiguration, fail);
    if (!query) throw fail('dynamic partitioning without a MetadataExtraction processor');
    config.metadataExtractionQuery = String(resolve(query));
  }
  return config;
}

function metadataExtractionQuery(processing: unknown, fail: (what: string) => Error): unknown {
  const config = (processing ?? {}) as { Enabled?: unknown; Processors?: Record<string, unknown>[] };
  if (config.Enabled === false || config.Enabled === 'false') return undefined;
  let query: unknown;
  for (const processor of config.Processors ?? []) {
    if (processor.Type !== 'MetadataExtraction') throw fail(`processor ${String(processor.Type)}`);
    for (const parameter of (processor.Parameters ?? []) as {
      ParameterName: string;
      ParameterValue: unknown;
    }[]) {
      if (parameter.ParameterName === 'MetadataExtractionQuery') query = parameter.ParameterValue;
      else if (parameter.ParameterName === 'JsonParsingEngine') {
        if (!String(parameter.ParameterValue).startsWith('JQ-'))
          throw fail(`JsonParsingEngine ${String(parameter.ParameterValue)}`);
      } else throw fail(`processor parameter ${parameter.ParameterName}`);
    }
  }
  return query;
}
