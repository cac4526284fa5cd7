import { describe, expect, it } from '@jest/globals';
import { deliveryStreamFrom } from '../../src/config/delivery-streams.js';
import { assertKnownResourceTypes } from '../../src/config/resource-types.js';

const resolve = (value: unknown) =>
  typeof value === 'object' && value !== null && 'Fn::GetAtt' in value
    ? 'arn:aws:s3:::archive-bucket'
    : value;
const destination = {
  BucketARN: { 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] },
  RoleARN: 'role',
  Prefix: 'archive/kind=!{partitionKeyFromQuery:kind}/',
  ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/',
  CompressionFormat: 'GZIP',
  BufferingHints: { IntervalInSeconds: '10', SizeInMBs: '64' },
  DynamicPartitioningConfiguration: { Enabled: true },
  ProcessingConfiguration: {
    Enabled: true,
    Processors: [
      {
        Type: 'MetadataExtraction',
        Parameters: [
          { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{kind: .kind}' },
          { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
        ],
      },
    ],
  },
};

describe('resource types', () => {
  it('runs or knowingly ignores each type, and fails start-up on any other by name', () => {
    expect(() =>
      assertKnownResourceTypes('telemetry', {
        ArchiveBucket: { Type: 'AWS::S3::Bucket' },
        ArchiveTable: { Type: 'AWS::Glue::Table' },
        Role: { Type: 'AWS::IAM::Role' },
      }),
    ).not.toThrow();
    expect(() =>
      assertKnownResourceTypes('telemetry', { Domain: { Type: 'AWS::OpenSearchService::Domain' } }),
    ).toThrow(
      'telemetry: resource Domain of type AWS::OpenSearchService::Domain is not emulated by the local cloud',
    );
  });
});

describe('a delivery stream as the local Firehose runs it', () => {
  it('reads the S3 destination, buffering (numbers from strings) and the jq query', () => {
    expect(
      deliveryStreamFrom(
        'ArchiveDeliveryStream',
        {
          DeliveryStreamName: 'archive',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: destination,
        },
        resolve,
      ),
    ).toEqual({
      name: 'archive',
      bucketName: 'archive-bucket',
      prefix: destination.Prefix,
      errorOutputPrefix: destination.ErrorOutputPrefix,
      bufferIntervalS: 10,
      bufferSizeMb: 64,
      gzip: true,
      metadataExtractionQuery: '{kind: .kind}',
    });
  });

  it.each([
    [{ DeliveryStreamType: 'KinesisStreamAsSource' }, 'DeliveryStreamType KinesisStreamAsSource'],
    [
      { ExtendedS3DestinationConfiguration: undefined, HttpEndpointDestinationConfiguration: {} },
      'HttpEndpointDestinationConfiguration',
    ],
    [
      { ExtendedS3DestinationConfiguration: { ...destination, DataFormatConversionConfiguration: {} } },
      'ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration',
    ],
    [
      { ExtendedS3DestinationConfiguration: { ...destination, CompressionFormat: 'Snappy' } },
      'CompressionFormat Snappy',
    ],
    [
      {
        ExtendedS3DestinationConfiguration: {
          ...destination,
          ProcessingConfiguration: { Processors: [{ Type: 'Lambda' }] },
        },
      },
      'processor Lambda',
    ],
  ])('fails start-up by name on what it cannot run (%#)', (overrides, message) => {
    const properties = JSON.parse(
      JSON.stringify({
        DeliveryStreamName: 'archive',
        ExtendedS3DestinationConfiguration: destination,
        ...overrides,
      }),
    );
    expect(() => deliveryStreamFrom('S', properties, resolve)).toThrow(`delivery stream archive: ${message}`);
  });
});
