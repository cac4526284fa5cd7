// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are IoT substitution templates
import { describe, expect, it } from '@jest/globals';
import type { IotRuleConfig } from '../../src/config/model.js';
import { compileRules, compileTemplate, expandTemplate, RulesEngine } from '../../src/rules/rules-engine.js';
import { generatedTopicRules, RuleCompileError, topicRuleFrom } from '../../src/rules/topic-rules.js';
import { DeadLetterStore } from '../../src/state/dead-letters.js';
import { CloudStats } from '../../src/state/stats.js';

const resolve = (value: unknown) =>
  typeof value === 'object' && value !== null && 'Ref' in value
    ? `name-of-${(value as { Ref: string }).Ref}`
    : value;
const context = {
  resolve,
  functionNameOf: (logicalId: string) =>
    logicalId === 'HeartbeatLambdaFunction' ? 'svc-local-heartbeat' : undefined,
};
const sql = "SELECT *, topic(2) AS chargerId FROM 'chargers/+/meter'";
const errorAction = { Sqs: { QueueUrl: { Ref: 'DeadLetterQueue' }, RoleArn: 'role', UseBase64: false } };

const resourceRule = (payload: Record<string, unknown>) => ({
  logicalId: 'ArchiveRule',
  properties: {
    RuleName: 'svc_local_archive',
    TopicRulePayload: { RuleDisabled: false, AwsIotSqlVersion: '2016-03-23', Sql: sql, ...payload },
  },
});

describe('topic rules from AWS::IoT::TopicRule resources', () => {
  it('reads Firehose and Kinesis actions and the SQS errorAction', () => {
    const rule = topicRuleFrom(
      resourceRule({
        Actions: [
          {
            Firehose: {
              DeliveryStreamName: { Ref: 'Stream' },
              RoleArn: 'r',
              Separator: '\n',
              BatchMode: false,
            },
          },
          { Kinesis: { StreamName: { Ref: 'Analysis' }, PartitionKey: '${topic(2)}', RoleArn: 'r' } },
        ],
        ErrorAction: errorAction,
      }),
      context,
    );
    expect(rule).toEqual({
      name: 'svc_local_archive',
      sql,
      sqlVersion: '2016-03-23',
      actions: [
        { type: 'Firehose', deliveryStreamName: 'name-of-Stream', separator: '\n' },
        { type: 'Kinesis', streamName: 'name-of-Analysis', partitionKey: '${topic(2)}' },
      ],
      errorActionQueue: 'name-of-DeadLetterQueue',
    });
    expect(topicRuleFrom(resourceRule({ RuleDisabled: true, Actions: [] }), context)).toBeUndefined();
  });

  it.each([
    [{ Actions: [{ S3: { BucketName: 'b', Key: 'k' } }] }, 'rule svc_local_archive: action type S3'],
    [
      { Actions: [{ Firehose: { DeliveryStreamName: 'd', BatchMode: true } }] },
      'action Firehose.BatchMode: true',
    ],
    [{ Actions: [{ Kinesis: { StreamName: 's', Shard: 'x' } }] }, 'action Kinesis.Shard'],
    [
      { Actions: [{ Lambda: { FunctionArn: { 'Fn::GetAtt': ['OtherLambdaFunction', 'Arn'] } } }] },
      'Lambda.FunctionArn',
    ],
    [{ Actions: [], ErrorAction: { Republish: { Topic: 'x' } } }, 'ErrorAction type Republish'],
    [
      { Actions: [], ErrorAction: { Sqs: { QueueUrl: 'q', UseBase64: true } } },
      'ErrorAction Sqs.UseBase64: true',
    ],
    [{ Actions: [], AwsIotSqlVersion: '2016-03-23', Rules: [] }, 'TopicRulePayload.Rules'],
  ])('fails start-up by name on what it cannot run: %j', (payload, message) => {
    expect(() => topicRuleFrom(resourceRule(payload), context)).toThrow(RuleCompileError);
    expect(() => topicRuleFrom(resourceRule(payload), context)).toThrow(message);
  });
});

describe('topic rules the framework generates from iot events', () => {
  it('are the same TopicRule, with resources.extensions assigned over their Properties (shallowly, as osls does)', () => {
    const [template] = generatedTopicRules(
      'heartbeat',
      {
        handler: 'h.handler',
        events: [{ iot: { sql, sqlVersion: '2016-03-23', name: 'svc_local_heartbeat' } }],
      },
      {
        HeartbeatIotTopicRule1: {
          Properties: {
            TopicRulePayload: {
              Sql: sql,
              AwsIotSqlVersion: '2016-03-23',
              RuleDisabled: false,
              Actions: [{ Lambda: { FunctionArn: { 'Fn::GetAtt': ['HeartbeatLambdaFunction', 'Arn'] } } }],
              ErrorAction: errorAction,
            },
          },
        },
      },
    );
    expect(template?.logicalId).toBe('HeartbeatIotTopicRule1');
    expect(topicRuleFrom(template as never, context)).toEqual({
      name: 'svc_local_heartbeat',
      sql,
      sqlVersion: '2016-03-23',
      actions: [{ type: 'Lambda', functionName: 'svc-local-heartbeat' }],
      errorActionQueue: 'name-of-DeadLetterQueue',
    });
  });

  it('a disabled iot event is a disabled rule', () => {
    const [template] = generatedTopicRules(
      'heartbeat',
      { handler: 'h', events: [{ iot: { sql, enabled: false } }] },
      {},
    );
    expect(topicRuleFrom(template as never, context)).toBeUndefined();
  });
});

describe('compiling rules against the declared targets', () => {
  const targets = {
    functionIdOf: (name: string) => (name === 'svc-local-heartbeat' ? 'svc.heartbeat' : undefined),
    hasDeliveryStream: (name: string) => name === 'archive',
    hasKinesisStream: (name: string) => name === 'analysis',
  };
  const rule = (actions: IotRuleConfig['actions']): IotRuleConfig => ({
    name: 'r',
    sql,
    sqlVersion: '2016-03-23',
    actions,
  });

  it('fails on a target no service declares, naming it', () => {
    expect(() =>
      compileRules([rule([{ type: 'Firehose', deliveryStreamName: 'nope', separator: '' }])], targets),
    ).toThrow('rule r: delivery stream nope is not declared by any service');
    expect(() =>
      compileRules([rule([{ type: 'Kinesis', streamName: 'nope', partitionKey: 'k' }])], targets),
    ).toThrow('rule r: Kinesis stream nope is not declared by any service');
    expect(() => compileRules([rule([{ type: 'Lambda', functionName: 'nope' }])], targets)).toThrow(
      'rule r: function nope is not declared by any service',
    );
  });

  it('evaluates a partition key template like a SELECT expression; an Undefined part is empty', () => {
    const template = compileTemplate('r', 'charger-${topic(2)}-${connectorId}${missing}');
    const message = { topic: 'chargers/CP-1/meter', clientId: 'CP-1', principal: 'p', receivedAt: 0 };
    expect(expandTemplate(template, { connectorId: 2 }, message)).toBe('charger-CP-1-2');
    expect(() => compileTemplate('r', '${lower(topic(2))}')).toThrow(RuleCompileError);
  });
});

describe('rule actions at run time', () => {
  it('a failed Firehose or Kinesis action goes to the rule errorAction, named as IoT Core names it', async () => {
    const deadLetters = new DeadLetterStore();
    const stats = new CloudStats();
    const records: string[] = [];
    const targets = {
      functionIdOf: () => undefined,
      invokeAsync: () => undefined,
      hasDeliveryStream: () => true,
      putFirehoseRecord: async (_name: string, data: Buffer) => {
        records.push(data.toString());
      },
      hasKinesisStream: () => true,
      putKinesisRecord: (_name: string, partitionKey: string) => {
        if (!partitionKey) throw new Error('1 validation error detected: partitionKey must not be empty');
      },
    };
    const [rule] = compileRules(
      [
        {
          name: 'archive',
          sql,
          sqlVersion: '2016-03-23',
          actions: [
            { type: 'Firehose', deliveryStreamName: 'archive', separator: '\n' },
            { type: 'Kinesis', streamName: 'analysis', partitionKey: '${missing}' },
          ],
          errorActionQueue: 'svc-dlq',
        },
      ],
      targets,
    );
    const engine = new RulesEngine([rule as never], targets, deadLetters, stats);
    engine.handle({
      topic: 'chargers/CP-1/meter',
      payload: Buffer.from('{"a":1}'),
      clientId: 'CP-1',
      principal: 'p',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(records).toEqual(['{"a":1,"chargerId":"CP-1"}\n']);
    const [letter] = deadLetters.list();
    expect(letter).toMatchObject({ queue: 'svc-dlq', source: 'rule-error', ruleName: 'archive' });
    expect(JSON.parse(letter?.body ?? '{}').failures).toEqual([
      {
        failedAction: 'KinesisAction',
        failedResource: 'analysis',
        errorMessage: '1 validation error detected: partitionKey must not be empty',
      },
    ]);
    expect(stats.ruleErrors).toBe(1);
  });

  it('routes a Basic Ingest publish to the one rule it names, which sees the topic without the prefix', async () => {
    const records: string[] = [];
    const targets = {
      functionIdOf: () => undefined,
      invokeAsync: () => undefined,
      hasDeliveryStream: () => true,
      putFirehoseRecord: async (name: string, data: Buffer) => {
        records.push(`${name} ${data.toString().trim()}`);
      },
      hasKinesisStream: () => false,
      putKinesisRecord: () => undefined,
    };
    const archiveTo = (name: string) => ({
      name,
      sql: "SELECT topic() AS topic, topic(2) AS chargerId FROM 'chargers/+/meter'",
      sqlVersion: '2016-03-23',
      actions: [{ type: 'Firehose' as const, deliveryStreamName: name, separator: '\n' }],
    });
    const rules = compileRules([archiveTo('metering_local_meter'), archiveTo('other_rule')], targets);
    const engine = new RulesEngine(rules as never, targets, new DeadLetterStore(), new CloudStats());
    const send = (topic: string) =>
      engine.handle({ topic, payload: Buffer.from('{}'), clientId: 'CP-1', principal: 'p' });

    send('$aws/rules/metering_local_meter/chargers/CP-1/meter');
    // The named rule, but a topic its FROM does not match; a rule no one declares: nothing runs.
    send('$aws/rules/metering_local_meter/chargers/CP-1/heartbeat');
    send('$aws/rules/no_such_rule/chargers/CP-1/meter');
    await new Promise((resolve) => setImmediate(resolve));

    expect(records).toEqual(['metering_local_meter {"topic":"chargers/CP-1/meter","chargerId":"CP-1"}']);
    send('chargers/CP-1/meter');
    await new Promise((resolve) => setImmediate(resolve));
    expect(records).toHaveLength(3);
  });
});
