import {
  bucketArn,
  deliveryStreamArn,
  kinesisStreamArn,
  localAccountId,
  localRegion,
  queueArn,
  tableArn,
  tableStreamArn,
  topicArn,
} from './local-names.js';

export interface ResourceTemplate {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface IntrinsicContext {
  stage: string;
  /** The service's own resources (Ref/GetAtt targets). */
  resources: Record<string, ResourceTemplate>;
  /** Fn::ImportValue name → value (the storage stack's exports). */
  imports: Record<string, string>;
  awsEndpoint: string;
  /** The template's `Conditions` (what Fn::If names), evaluated when used. */
  conditions?: Record<string, unknown>;
}

/** `Ref: AWS::NoValue` resolved: dropped from the list or object that holds it, as CloudFormation does. */
const noValue = Symbol('AWS::NoValue');

/** Thrown for an intrinsic the local cloud cannot resolve; start-up fails with its name. */
export class UnresolvedIntrinsicError extends Error {
  override name = 'UnresolvedIntrinsicError';
}

/** Resolves CloudFormation intrinsics left in `serverless print` output to the local resources. */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  return resolveValue(resolveConditionals(value, context), context);
}

/** Every intrinsic but the conditionals, which `resolveConditionals` has already decided. */
function resolveValue(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0] as [string, unknown];
    switch (key) {
      case 'Fn::ImportValue':
        return importValue(String(resolveValue(argument, context)), context);
      case 'Fn::Sub':
        return substitute(argument, context);
      case 'Ref':
        return ref(String(argument), context);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return getAtt(String(logicalId), String(attribute), context);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolveValue(parts, context) as unknown[]).join(separator);
      }
      default:
        if (key.startsWith('Fn::')) throw new UnresolvedIntrinsicError(`unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveValue(item, context)]));
}

/**
 * Only the template's conditionals: each `Fn::If` replaced by the branch its condition picks, `Ref: AWS::NoValue`
 * dropped; every other intrinsic is left as it is (for a reader that resolves them itself, e.g. a rule's actions).
 */
export function resolveConditionals(value: unknown, context: IntrinsicContext): unknown {
  const chosen = chooseBranches(value, context);
  return chosen === noValue ? undefined : chosen;
}

function chooseBranches(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value))
    return value.map((item) => chooseBranches(item, context)).filter((item) => item !== noValue);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = (entries.length === 1 ? entries[0] : []) as [string?, unknown?];
  if (key === 'Ref' && argument === 'AWS::NoValue') return noValue;
  if (key === 'Fn::If') {
    const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
    return chooseBranches(conditionHolds(condition, context) ? whenTrue : whenFalse, context);
  }
  return Object.fromEntries(
    entries
      .map(([name, item]) => [name, chooseBranches(item, context)])
      .filter(([, item]) => item !== noValue),
  );
}

/** A named condition of the template: Fn::Equals, Fn::Not, Fn::And, Fn::Or and `Condition` references. */
function conditionHolds(name: string, context: IntrinsicContext): boolean {
  const definition = context.conditions?.[name];
  if (definition === undefined)
    throw new UnresolvedIntrinsicError(`Fn::If names unknown condition '${name}'`);
  return evaluateCondition(definition, context);
}

function evaluateCondition(definition: unknown, context: IntrinsicContext): boolean {
  const [operator, argument] = Object.entries(definition as Record<string, unknown>)[0] ?? [];
  const operands = argument as unknown[];
  switch (operator) {
    case 'Fn::Equals':
      return (
        String(resolveIntrinsics(operands[0], context)) === String(resolveIntrinsics(operands[1], context))
      );
    case 'Fn::Not':
      return !evaluateCondition(operands[0], context);
    case 'Fn::And':
      return operands.every((operand) => evaluateCondition(operand, context));
    case 'Fn::Or':
      return operands.some((operand) => evaluateCondition(operand, context));
    case 'Condition':
      return conditionHolds(String(argument), context);
    default:
      throw new UnresolvedIntrinsicError(`unsupported condition ${String(operator)}`);
  }
}

function importValue(name: string, context: IntrinsicContext): string {
  const value = context.imports[name];
  if (value === undefined) throw new UnresolvedIntrinsicError(`Fn::ImportValue of unknown export '${name}'`);
  return value;
}

function substitute(argument: unknown, context: IntrinsicContext): string {
  const [template, variables] = Array.isArray(argument)
    ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>]
    : [String(argument), {}];
  return template.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    if (name in variables) return String(resolveIntrinsics(variables[name], context));
    if (name.includes('.') && !name.startsWith('AWS::')) {
      const [logicalId, attribute] = name.split('.');
      return getAtt(logicalId ?? '', attribute ?? '', context);
    }
    return ref(name, context);
  });
}

function ref(name: string, context: IntrinsicContext): string {
  switch (name) {
    case 'AWS::Region':
      return localRegion;
    case 'AWS::AccountId':
      return localAccountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const resource = resourceOf(name, context);
  const resourceName = physicalName(name, resource, context);
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return `${context.awsEndpoint}/${localAccountId}/${resourceName}`;
    case 'AWS::SNS::Topic':
      return topicArn(resourceName);
    default:
      return resourceName;
  }
}

function getAtt(logicalId: string, attribute: string, context: IntrinsicContext): string {
  const resource = resourceOf(logicalId, context);
  const resourceName = physicalName(logicalId, resource, context);
  const key = `${resource.Type}.${attribute}`;
  switch (key) {
    case 'AWS::SQS::Queue.Arn':
      return queueArn(resourceName);
    case 'AWS::SQS::Queue.QueueName':
      return resourceName;
    case 'AWS::SQS::Queue.QueueUrl':
      return `${context.awsEndpoint}/${localAccountId}/${resourceName}`;
    case 'AWS::SNS::Topic.TopicArn':
      return topicArn(resourceName);
    case 'AWS::SNS::Topic.TopicName':
      return resourceName;
    case 'AWS::DynamoDB::Table.Arn':
      return tableArn(resourceName);
    case 'AWS::DynamoDB::Table.StreamArn':
      return tableStreamArn(resourceName);
    case 'AWS::Kinesis::Stream.Arn':
      return kinesisStreamArn(resourceName);
    case 'AWS::S3::Bucket.Arn':
      return bucketArn(resourceName);
    case 'AWS::KinesisFirehose::DeliveryStream.Arn':
      return deliveryStreamArn(resourceName);
    default:
      throw new UnresolvedIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute} (${resource.Type})`);
  }
}

function resourceOf(logicalId: string, context: IntrinsicContext): ResourceTemplate {
  const resource = context.resources[logicalId];
  if (!resource) throw new UnresolvedIntrinsicError(`Ref/GetAtt to unknown resource '${logicalId}'`);
  return resource;
}

function physicalName(logicalId: string, resource: ResourceTemplate, context: IntrinsicContext): string {
  const properties = resource.Properties ?? {};
  // A bucket's name is often an Fn::Sub of the account and region; without one, CloudFormation makes one up.
  if (resource.Type === 'AWS::S3::Bucket')
    return properties.BucketName === undefined
      ? logicalId.toLowerCase()
      : String(resolveIntrinsics(properties.BucketName, context));
  if (resource.Type === 'AWS::KinesisFirehose::DeliveryStream')
    return String(properties.DeliveryStreamName ?? logicalId);
  // A Kinesis stream's `Name` is its Ref; other types' `Name` may not be, so it is read for this type only.
  const streamName = resource.Type === 'AWS::Kinesis::Stream' ? properties.Name : undefined;
  const name = properties.QueueName ?? properties.TopicName ?? properties.TableName ?? streamName;
  return typeof name === 'string' ? name : logicalId;
}
