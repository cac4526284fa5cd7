import { queueNameFrom } from '../config/local-names.js';
import type { IotRuleConfig, RuleAction } from '../config/model.js';
import type { PrintedFunction } from '../config/serverless-print.js';

/** Thrown at start-up for a rule the engine cannot evaluate or run; names the rule and the construct. */
export class RuleCompileError extends Error {
  override name = 'RuleCompileError';
}

/** A topic rule as CloudFormation declares it: the logical id and its `Properties`. */
export interface TopicRuleTemplate {
  logicalId: string;
  properties: Record<string, unknown>;
}

export interface TopicRuleContext {
  resolve: (value: unknown) => unknown;
  /** The template's `Fn::If`s decided (and `AWS::NoValue` dropped), every other intrinsic left for `resolve`. */
  resolveConditionals?: (value: unknown) => unknown;
  /** The deployed function name behind a `<Fn>LambdaFunction` logical id (a Lambda action's `Fn::GetAtt`). */
  functionNameOf: (logicalId: string) => string | undefined;
}

/** serverless' normalized function name: `auth-request` → `AuthDashrequest` (its logical ids start with it). */
export function normalizedFunctionName(name: string): string {
  const replaced = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return replaced.charAt(0).toUpperCase() + replaced.slice(1);
}

/**
 * The `AWS::IoT::TopicRule` resources the framework generates from a function's `iot` events
 * (`<Fn>IotTopicRule<n>`), with `resources.extensions` assigned over their Properties as osls does (shallowly).
 */
export function generatedTopicRules(
  functionKey: string,
  fn: PrintedFunction,
  extensions: Record<string, { Properties?: Record<string, unknown> }>,
): TopicRuleTemplate[] {
  const lambdaLogicalId = `${normalizedFunctionName(functionKey)}LambdaFunction`;
  const iotEvents = (fn.events ?? []).flatMap((event) =>
    'iot' in event ? [event.iot as Record<string, unknown>] : [],
  );
  return iotEvents.map((iot, index) => {
    const logicalId = `${normalizedFunctionName(functionKey)}IotTopicRule${index + 1}`;
    const generated: Record<string, unknown> = {
      ...(iot.name ? { RuleName: iot.name } : {}),
      TopicRulePayload: {
        ...(iot.sqlVersion ? { AwsIotSqlVersion: iot.sqlVersion } : {}),
        ...(iot.description ? { Description: iot.description } : {}),
        RuleDisabled: iot.enabled === false,
        Sql: iot.sql,
        Actions: [{ Lambda: { FunctionArn: { 'Fn::GetAtt': [lambdaLogicalId, 'Arn'] } } }],
      },
    };
    return { logicalId, properties: { ...generated, ...extensions[logicalId]?.Properties } };
  });
}

const payloadProperties = new Set([
  'Sql',
  'AwsIotSqlVersion',
  'RuleDisabled',
  'Actions',
  'ErrorAction',
  'Description',
]);
// Per action type, the properties the local cloud runs; RoleArn is accepted and not enforced (no IAM locally).
const actionProperties: Record<string, Set<string>> = {
  Lambda: new Set(['FunctionArn']),
  Firehose: new Set(['DeliveryStreamName', 'Separator', 'BatchMode', 'RoleArn']),
  Kinesis: new Set(['StreamName', 'PartitionKey', 'RoleArn']),
};
const errorActionProperties: Record<string, Set<string>> = {
  Sqs: new Set(['QueueUrl', 'UseBase64', 'RoleArn']),
};

/** One topic rule's Properties → what the engine runs; undefined for a disabled rule. Anything else fails by name. */
export function topicRuleFrom(
  template: TopicRuleTemplate,
  context: TopicRuleContext,
): IotRuleConfig | undefined {
  const name = String(template.properties.RuleName ?? template.logicalId);
  const fail = (what: string) =>
    new RuleCompileError(`rule ${name}: ${what} is not emulated by the local cloud`);
  const payload = (template.properties.TopicRulePayload ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(payload))
    if (!payloadProperties.has(key)) throw fail(`TopicRulePayload.${key}`);
  const disabled = payload.RuleDisabled === true || payload.RuleDisabled === 'true';
  if (disabled) return undefined;
  // Usually an extension that meant to add an ErrorAction: it replaces the generated TopicRulePayload whole.
  if (payload.Sql === undefined)
    throw new RuleCompileError(
      `rule ${name}: TopicRulePayload has no Sql (resources.extensions replace a generated TopicRulePayload whole: restate Sql, AwsIotSqlVersion and Actions)`,
    );
  const declared = context.resolveConditionals?.(payload.Actions) ?? payload.Actions;
  const actions = ((declared ?? []) as Record<string, unknown>[]).map((action) => {
    const [type, properties] = singleEntry(action, () => fail('an action without exactly one type'));
    checkProperties(type, properties, actionProperties, (what) => fail(`action ${what}`));
    return ruleAction(type, properties, context, fail);
  });
  const rule: IotRuleConfig = {
    name,
    sql: String(context.resolve(payload.Sql)),
    sqlVersion: String(payload.AwsIotSqlVersion ?? '2015-10-08'),
    actions,
  };
  if (payload.ErrorAction !== undefined) {
    const [type, properties] = singleEntry(payload.ErrorAction, () =>
      fail('an ErrorAction without exactly one type'),
    );
    checkProperties(type, properties, errorActionProperties, (what) => fail(`ErrorAction ${what}`));
    if (properties.UseBase64 === true) throw fail('ErrorAction Sqs.UseBase64: true');
    rule.errorActionQueue = queueNameFrom(String(context.resolve(properties.QueueUrl)));
  }
  return rule;
}

function ruleAction(
  type: string,
  properties: Record<string, unknown>,
  context: TopicRuleContext,
  fail: (what: string) => RuleCompileError,
): RuleAction {
  if (type === 'Firehose') {
    if (properties.BatchMode === true) throw fail('action Firehose.BatchMode: true');
    return {
      type,
      deliveryStreamName: String(context.resolve(properties.DeliveryStreamName)),
      // Without a Separator, Firehose writes the records back to back.
      separator: String(context.resolve(properties.Separator ?? '')),
    };
  }
  if (type === 'Kinesis')
    return {
      type,
      streamName: String(context.resolve(properties.StreamName)),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: IoT's substitution template, not JavaScript's.
      partitionKey: String(context.resolve(properties.PartitionKey ?? '${newuuid()}')),
    };
  const functionArn = properties.FunctionArn as { 'Fn::GetAtt'?: unknown[] } | string;
  const logicalId = typeof functionArn === 'object' ? String(functionArn['Fn::GetAtt']?.[0]) : undefined;
  const functionName = logicalId
    ? context.functionNameOf(logicalId)
    : /:function:([^:]+)/.exec(String(functionArn))?.[1];
  if (!functionName)
    throw fail(`action Lambda.FunctionArn ${JSON.stringify(functionArn)} (not a function of this service)`);
  return { type: 'Lambda', functionName };
}

function singleEntry(value: unknown, fail: () => Error): [string, Record<string, unknown>] {
  const entries = Object.entries((value ?? {}) as Record<string, Record<string, unknown>>);
  if (entries.length !== 1) throw fail();
  return entries[0] as [string, Record<string, unknown>];
}

function checkProperties(
  type: string,
  properties: Record<string, unknown>,
  known: Record<string, Set<string>>,
  fail: (what: string) => Error,
): void {
  const allowed = known[type];
  if (!allowed) throw fail(`type ${type}`);
  for (const key of Object.keys(properties ?? {})) if (!allowed.has(key)) throw fail(`${type}.${key}`);
}
