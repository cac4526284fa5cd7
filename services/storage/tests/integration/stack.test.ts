import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';

// The storage stack as osls resolves it offline (`serverless print`): the resources other stacks import, and
// the operator alerts topic every service's dead-letter alarms notify (serverless.common.yml deadLetterAlarms).

const run = promisify(execFile);
const serviceDir = join(import.meta.dirname, '../..');
const oslsBin = join(serviceDir, '../../node_modules/osls/bin/serverless.js');

interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
}
interface PrintedStack {
  resources: {
    Resources: Record<string, Resource>;
    Conditions?: Record<string, unknown>;
    Outputs: Record<string, { Value: unknown; Export?: { Name: string } }>;
  };
}

async function print(...extra: string[]): Promise<PrintedStack> {
  const { stdout } = await run(
    process.execPath,
    [oslsBin, 'print', '--stage', 'local', '--format', 'json', ...extra],
    {
      cwd: serviceDir,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as PrintedStack;
}

let stack: PrintedStack;
let withEmail: PrintedStack;

beforeAll(async () => {
  [stack, withEmail] = await Promise.all([print(), print('--param=operatorAlertEmail=ops@example.com')]);
}, 60_000);

describe('storage stack exports', () => {
  it('exports the table, its stream, the notifications topic and the operator alerts topic by stage-derived names', () => {
    const exports = Object.fromEntries(
      Object.values(stack.resources.Outputs).map((output) => [output.Export?.Name, output.Value]),
    );
    expect(exports).toEqual({
      'ev-charging-local-TableName': { Ref: 'ChargingTable' },
      'ev-charging-local-TableArn': { 'Fn::GetAtt': ['ChargingTable', 'Arn'] },
      'ev-charging-local-TableStreamArn': { 'Fn::GetAtt': ['ChargingTable', 'StreamArn'] },
      'ev-charging-local-NotificationsTopicArn': { Ref: 'NotificationsTopic' },
      'ev-charging-local-OperatorAlertsTopicArn': { Ref: 'OperatorAlertsTopic' },
    });
  });
});

describe('operator alerts topic', () => {
  it('is an SNS topic with a stage-derived name', () => {
    expect(stack.resources.Resources.OperatorAlertsTopic).toMatchObject({
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: 'ev-charging-operator-alerts-local' },
    });
  });

  it('is not under the AWS-managed SNS key, which CloudWatch alarms cannot publish through', () => {
    expect(stack.resources.Resources.OperatorAlertsTopic?.Properties?.KmsMasterKeyId).toBeUndefined();
  });

  it('subscribes an e-mail address only when operatorAlertEmail is given', () => {
    const subscription = (printed: PrintedStack) =>
      printed.resources.Resources.OperatorAlertsEmailSubscription;
    const condition = (printed: PrintedStack) =>
      printed.resources.Conditions?.[subscription(printed)?.Condition ?? ''];
    expect(subscription(stack)?.Type).toBe('AWS::SNS::Subscription');
    // Default: the condition compares '' with '' and is negated, so CloudFormation skips the subscription.
    expect(condition(stack)).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(condition(withEmail)).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['ops@example.com', ''] }] });
    expect(subscription(withEmail)?.Properties).toEqual({
      TopicArn: { Ref: 'OperatorAlertsTopic' },
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});
