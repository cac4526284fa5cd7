import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { rolesOf } from '../src/iam.js';
import {
  type CfnResource,
  loadPackagedTemplates,
  type PackagedService,
  servicesDir,
} from '../src/templates.js';

// Every path into a function ends in the service's DLQ, and every DLQ is alarmed (checked on the packaged templates).
let services: PackagedService[] = [];

const ofType = (service: PackagedService, type: string) =>
  Object.entries(service.resources).filter(([, resource]) => resource.Type === type);
const dlqArn = { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] };
const dlqName = { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] };
const withFunctions = () => services.filter((service) => ofType(service, 'AWS::Lambda::Function').length > 0);
/** Services with something that can dead-letter (rules, async invokes, mappings, schedules): not HTTP-only ones. */
const withDeadLetterSources = () =>
  withFunctions().filter((service) =>
    [
      'AWS::IoT::TopicRule',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Events::Rule',
    ].some((type) => ofType(service, type).length > 0),
  );

beforeAll(async () => {
  services = await loadPackagedTemplates();
  const count = (type: string) => services.reduce((n, service) => n + ofType(service, type).length, 0);
  console.log(
    `reliability: dead-letter-config services=${withFunctions().length} iot rules=${count('AWS::IoT::TopicRule')} ` +
      `async configs=${count('AWS::Lambda::EventInvokeConfig')} event source mappings=${count('AWS::Lambda::EventSourceMapping')} ` +
      `alarms=${count('AWS::CloudWatch::Alarm')}`,
  );
}, 180_000);

describe('dead letters in the packaged templates', () => {
  it('sends every IoT rule error to the service DLQ through a role that may only send there', () => {
    const problems: string[] = [];
    for (const service of services) {
      const roles = new Map(rolesOf(service.resources).map((role) => [role.logicalId, role]));
      for (const [id, rule] of ofType(service, 'AWS::IoT::TopicRule')) {
        const payload = (rule.Properties as { TopicRulePayload: Record<string, unknown> }).TopicRulePayload;
        const sqs = (
          payload.ErrorAction as { Sqs?: { QueueUrl: unknown; RoleArn: { 'Fn::GetAtt': string[] } } }
        )?.Sqs;
        if (!payload.Sql || !(payload.Actions as object[])?.length)
          problems.push(`${service.service} ${id}: lost its SQL/actions`);
        if (!sqs) {
          problems.push(`${service.service} ${id}: no errorAction`);
          continue;
        }
        if (JSON.stringify(sqs.QueueUrl) !== JSON.stringify({ Ref: 'DeadLetterQueue' }))
          problems.push(`${service.service} ${id}: errorAction not the DLQ`);
        const role = roles.get(sqs.RoleArn['Fn::GetAtt'][0] ?? '');
        const grants = role?.statements.map((s) => JSON.stringify([s.Action, s.Resource]));
        if (JSON.stringify(grants) !== JSON.stringify([JSON.stringify(['sqs:SendMessage', dlqArn])])) {
          problems.push(`${service.service} ${id}: error role grants ${JSON.stringify(grants)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every async function (IoT rules, schedules) an on-failure destination: the DLQ', () => {
    const problems: string[] = [];
    for (const service of services) {
      for (const [id, config] of ofType(service, 'AWS::Lambda::EventInvokeConfig')) {
        const destination = (
          config.Properties as { DestinationConfig?: { OnFailure?: { Destination: unknown } } }
        ).DestinationConfig?.OnFailure?.Destination;
        if (JSON.stringify(destination) !== JSON.stringify(dlqArn)) problems.push(`${service.service} ${id}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every stream event source an on-failure destination, and every consumed queue a redrive, to the DLQ', () => {
    const problems: string[] = [];
    let streams = 0;
    let queues = 0;
    for (const service of services) {
      for (const [id, mapping] of ofType(service, 'AWS::Lambda::EventSourceMapping')) {
        const properties = (mapping as CfnResource).Properties ?? {};
        const source = (properties.EventSourceArn as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt'];
        const sourceQueue = source ? service.resources[source[0] ?? ''] : undefined;
        if (sourceQueue?.Type === 'AWS::SQS::Queue') {
          // An SQS mapping has no on-failure destination: the queue's redrive policy is its dead-letter path.
          queues++;
          const redrive = (sourceQueue.Properties as { RedrivePolicy?: { deadLetterTargetArn?: unknown } })
            ?.RedrivePolicy;
          if (JSON.stringify(redrive?.deadLetterTargetArn) !== JSON.stringify(dlqArn))
            problems.push(`${service.service} ${id}: queue ${source?.[0]} does not redrive to the DLQ`);
          continue;
        }
        streams++;
        if (
          JSON.stringify(properties.DestinationConfig) !==
          JSON.stringify({ OnFailure: { Destination: dlqArn } })
        )
          problems.push(`${service.service} ${id}: stream mapping without the DLQ as on-failure destination`);
      }
    }
    console.log(`reliability: dead-letter-config stream mappings=${streams} queue mappings=${queues}`);
    expect(streams).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('alarms on the depth and the age of every DLQ', () => {
    const problems: string[] = [];
    for (const service of withDeadLetterSources()) {
      const alarms = ofType(service, 'AWS::CloudWatch::Alarm').map(
        ([, alarm]) => alarm.Properties as Record<string, unknown>,
      );
      const on = (metric: string) =>
        alarms.find(
          (alarm) =>
            alarm.MetricName === metric &&
            alarm.Namespace === 'AWS/SQS' &&
            JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: dlqName }]),
        );
      if (!service.resources.DeadLetterQueue) problems.push(`${service.service}: no DeadLetterQueue`);
      const depth = on('ApproximateNumberOfMessagesVisible');
      if (depth?.Threshold !== 0 || depth.ComparisonOperator !== 'GreaterThanThreshold')
        problems.push(`${service.service}: no depth alarm`);
      if (!on('ApproximateAgeOfOldestMessage')) problems.push(`${service.service}: no age alarm`);
    }
    expect(problems).toEqual([]);
  });

  it('sends ALARM and OK of every DLQ alarm to the operator alerts topic the storage stack exports', () => {
    // loadPackagedTemplates packaged storage too; its Outputs say what other stacks may import.
    const storage = JSON.parse(
      readFileSync(
        join(servicesDir, 'storage', '.serverless', 'cloudformation-template-update-stack.json'),
        'utf8',
      ),
    ) as {
      Resources: Record<string, CfnResource>;
      Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
    };
    const exportName = Object.values(storage.Outputs ?? {}).find(
      (output) => JSON.stringify(output.Value) === JSON.stringify({ Ref: 'OperatorAlertsTopic' }),
    )?.Export?.Name;
    expect(storage.Resources.OperatorAlertsTopic?.Type).toBe('AWS::SNS::Topic');
    expect(exportName).toBe('ev-charging-local-OperatorAlertsTopicArn');
    const notify = JSON.stringify([{ 'Fn::ImportValue': exportName }]);
    const problems: string[] = [];
    let checked = 0;
    for (const service of withDeadLetterSources()) {
      const alarms = ofType(service, 'AWS::CloudWatch::Alarm').filter(
        ([, alarm]) =>
          JSON.stringify(alarm.Properties?.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: dlqName }]),
      );
      if (alarms.length < 2) problems.push(`${service.service}: ${alarms.length} DLQ alarms`);
      for (const [id, alarm] of alarms) {
        checked += 1;
        for (const key of ['AlarmActions', 'OKActions']) {
          const actions = JSON.stringify(alarm.Properties?.[key]);
          if (actions !== notify) problems.push(`${service.service} ${id}: ${key} ${actions}`);
        }
      }
    }
    console.log(`reliability: dead-letter alarms notifying ${exportName}: ${checked}`);
    expect(problems).toEqual([]);
  });
});
