import { describe, expect, it } from '@jest/globals';
import { buildFunction } from '../../src/config/functions.js';
import { type IntrinsicContext, resolveIntrinsics } from '../../src/config/intrinsics.js';
import type { PrintedService } from '../../src/config/serverless-print.js';

const context: IntrinsicContext = {
  stage: 'local',
  awsEndpoint: 'http://127.0.0.1:4566',
  imports: {
    'ev-charging-local-TableStreamArn': 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/local',
  },
  resources: {
    AnalysisStream: {
      Type: 'AWS::Kinesis::Stream',
      Properties: { Name: 'ev-charging-local-telemetry-analysis', RetentionPeriodHours: 24 },
    },
    Unnamed: { Type: 'AWS::Kinesis::Stream', Properties: {} },
    DeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'telemetry-local-dead-letters' } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
  },
};

// The telemetry service's `analyse` event, as `serverless print` gives it.
const analyseEvent = {
  type: 'kinesis',
  arn: { 'Fn::GetAtt': ['AnalysisStream', 'Arn'] },
  startingPosition: 'LATEST',
  batchSize: 500,
  batchWindow: 5,
  tumblingWindowInSeconds: 900,
  functionResponseType: 'ReportBatchItemFailures',
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 5,
  maximumRecordAgeInSeconds: 3600,
  destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
};

function build(events: Record<string, unknown>[]) {
  const service: PrintedService = { service: 'telemetry', provider: { runtime: 'nodejs22.x' } };
  return buildFunction({
    service,
    serviceDir: '/nowhere/telemetry',
    name: 'analyse',
    fn: { handler: 'src/handlers/analyse.handler', events },
    stage: 'local',
    resolve: (value) => resolveIntrinsics(value, context),
  });
}

describe('Kinesis streams in the config', () => {
  it('resolves a stream’s Arn to a local ARN and its Ref to its Name (else its logical id)', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['AnalysisStream', 'Arn'] }, context)).toBe(
      'arn:aws:kinesis:us-east-1:000000000000:stream/ev-charging-local-telemetry-analysis',
    );
    expect(resolveIntrinsics({ Ref: 'AnalysisStream' }, context)).toBe(
      'ev-charging-local-telemetry-analysis',
    );
    expect(resolveIntrinsics({ Ref: 'Unnamed' }, context)).toBe('Unnamed');
  });

  it('reads a kinesis stream event into the function’s kinesisStreams, leaving DynamoDB streams alone', () => {
    const fn = build([
      { stream: analyseEvent },
      { stream: { type: 'dynamodb', arn: { 'Fn::ImportValue': 'ev-charging-local-TableStreamArn' } } },
    ]);
    expect(fn.kinesisStreams).toEqual([
      {
        streamName: 'ev-charging-local-telemetry-analysis',
        batchSize: 500,
        batchingWindowMs: 5_000,
        startingPosition: 'LATEST',
        tumblingWindowSeconds: 900,
        reportBatchItemFailures: true,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 5,
        maximumRecordAgeSeconds: 3600,
        onFailureQueue: 'telemetry-local-dead-letters',
      },
    ]);
    expect(fn.streams.map((stream) => stream.tableName)).toEqual(['t']);
  });

  it('applies Lambda’s defaults, a numeric string included, and skips a disabled event', () => {
    const fn = build([
      { stream: 'arn:aws:kinesis:us-east-1:000000000000:stream/raw' },
      { stream: { ...analyseEvent, enabled: false } },
      { stream: { type: 'kinesis', arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', batchSize: '7' } },
    ]);
    expect(fn.kinesisStreams).toEqual([
      {
        streamName: 'raw',
        batchSize: 100,
        batchingWindowMs: 0,
        startingPosition: 'LATEST',
        tumblingWindowSeconds: 0,
        reportBatchItemFailures: false,
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: 10,
      },
      expect.objectContaining({ streamName: 's', batchSize: 7 }),
    ]);
  });

  it.each([
    [{ parallelizationFactor: 2 }, /telemetry\.analyse: kinesis stream event parallelizationFactor/],
    [{ startingPosition: 'AT_TIMESTAMP' }, /telemetry\.analyse: kinesis stream event startingPosition/],
    [
      { filterPatterns: [{ data: { kind: ['meter'] } }] },
      /telemetry\.analyse: kinesis stream event filterPatterns/,
    ],
    [{ tumblingWindowInSeconds: 901 }, /tumblingWindowInSeconds: 901 is outside 0\.\.900/],
    [{ destinations: { onFailure: { type: 'sns', arn: { Ref: 'Topic' } } } }, /destinations\.onFailure/],
    [{ arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1' }, /event arn: .* not a Kinesis/],
  ])('fails start-up on what it cannot emulate: %j', (override, message) => {
    expect(() => build([{ stream: { ...analyseEvent, ...override } }])).toThrow(message);
  });
});
