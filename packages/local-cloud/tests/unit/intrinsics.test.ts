// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are CloudFormation Fn::Sub templates
import { describe, expect, it } from '@jest/globals';
import {
  type IntrinsicContext,
  resolveIntrinsics,
  UnresolvedIntrinsicError,
} from '../../src/config/intrinsics.js';

const context: IntrinsicContext = {
  stage: 'local',
  awsEndpoint: 'http://127.0.0.1:4566',
  imports: {
    'ev-charging-local-TableStreamArn': 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/local',
  },
  resources: {
    DeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-local-dead-letters' } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'notes' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' } },
  },
};

describe('CloudFormation intrinsics resolved to local resources', () => {
  it.each([
    [
      { 'Fn::ImportValue': 'ev-charging-local-TableStreamArn' },
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/local',
    ],
    [{ 'Fn::Sub': 'arn:aws:sns:${AWS::Region}:${AWS::AccountId}:x' }, 'arn:aws:sns:us-east-1:000000000000:x'],
    [{ 'Fn::Sub': ['${A}-${B}', { A: 'a', B: { Ref: 'AWS::Region' } }] }, 'a-us-east-1'],
    [{ 'Fn::Sub': '${DeadLetterQueue.Arn}' }, 'arn:aws:sqs:us-east-1:000000000000:svc-local-dead-letters'],
    [{ Ref: 'DeadLetterQueue' }, 'http://127.0.0.1:4566/000000000000/svc-local-dead-letters'],
    [
      { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      'arn:aws:sqs:us-east-1:000000000000:svc-local-dead-letters',
    ],
    [{ 'Fn::GetAtt': 'DeadLetterQueue.QueueName' }, 'svc-local-dead-letters'],
    [{ Ref: 'Topic' }, 'arn:aws:sns:us-east-1:000000000000:notes'],
    [{ Ref: 'Table' }, 't'],
    [
      { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/local',
    ],
    [{ 'Fn::Join': ['/', ['a', { Ref: 'AWS::AccountId' }]] }, 'a/000000000000'],
  ])('%j', (value, expected) => {
    expect(resolveIntrinsics(value, context)).toBe(expected);
  });

  it('resolves inside nested objects and arrays, leaving plain values alone', () => {
    expect(resolveIntrinsics({ a: [{ Ref: 'Table' }, 1, 'x'], b: { c: null } }, context)).toEqual({
      a: ['t', 1, 'x'],
      b: { c: null },
    });
  });

  it.each([
    [{ 'Fn::ImportValue': 'nope' }, /unknown export 'nope'/],
    [{ Ref: 'Missing' }, /unknown resource 'Missing'/],
    [{ 'Fn::Select': [0, ['a']] }, /unsupported intrinsic Fn::Select/],
    [{ 'Fn::If': ['Missing', 'a', 'b'] }, /unknown condition 'Missing'/],
    [{ 'Fn::GetAtt': ['Topic', 'Nope'] }, /Fn::GetAtt Topic.Nope/],
  ])('fails loudly for %j', (value, message) => {
    expect(() => resolveIntrinsics(value, context)).toThrow(UnresolvedIntrinsicError);
    expect(() => resolveIntrinsics(value, context)).toThrow(message);
  });

  it('resolves Fn::If on the template conditions, dropping Ref AWS::NoValue from lists and objects', () => {
    const withConditions = {
      ...context,
      conditions: {
        On: { 'Fn::Equals': ['true', 'true'] },
        Off: { 'Fn::Not': [{ Condition: 'On' }] },
        Both: { 'Fn::And': [{ Condition: 'On' }, { 'Fn::Or': [{ Condition: 'Off' }, { Condition: 'On' }] }] },
      },
    };
    const actions = [
      { Lambda: 'fn' },
      { 'Fn::If': ['On', { Firehose: 'archive' }, { Ref: 'AWS::NoValue' }] },
      { 'Fn::If': ['Off', { Kinesis: 'analysis' }, { Ref: 'AWS::NoValue' }] },
    ];
    expect(resolveIntrinsics(actions, withConditions)).toEqual([{ Lambda: 'fn' }, { Firehose: 'archive' }]);
    expect(
      resolveIntrinsics({ a: 1, b: { 'Fn::If': ['Both', { Ref: 'AWS::NoValue' }, 2] } }, withConditions),
    ).toEqual({ a: 1 });
  });
});
