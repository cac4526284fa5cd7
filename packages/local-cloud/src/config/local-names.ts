/** Region and account the local cloud pretends to be (what Fn::Sub's ${AWS::Region}/${AWS::AccountId} become). */
export const localRegion = 'us-east-1';
export const localAccountId = '000000000000';

export function queueArn(queueName: string): string {
  return `arn:aws:sqs:${localRegion}:${localAccountId}:${queueName}`;
}

export function topicArn(topicName: string): string {
  return `arn:aws:sns:${localRegion}:${localAccountId}:${topicName}`;
}

export function tableArn(tableName: string): string {
  return `arn:aws:dynamodb:${localRegion}:${localAccountId}:table/${tableName}`;
}

/** Stream ARNs resolve to this; the poller maps it to DynamoDB Local's real stream of that table. */
export function tableStreamArn(tableName: string): string {
  return `${tableArn(tableName)}/stream/local`;
}

/** A Kinesis data stream's ARN (`Fn::GetAtt <stream>.Arn`): what a kinesis `stream` event's arn resolves to. */
export function kinesisStreamArn(streamName: string): string {
  return `arn:aws:kinesis:${localRegion}:${localAccountId}:stream/${streamName}`;
}

export function kinesisStreamNameFromArn(arn: string): string | undefined {
  return /^arn:aws:kinesis:[^:]*:\d{12}:stream\/([^/]+)$/.exec(arn)?.[1];
}

export function bucketArn(bucketName: string): string {
  return `arn:aws:s3:::${bucketName}`;
}

export function bucketNameFromArn(arn: string): string | undefined {
  return /^arn:aws:s3:::([^/]+)$/.exec(arn)?.[1];
}

export function deliveryStreamArn(deliveryStreamName: string): string {
  return `arn:aws:firehose:${localRegion}:${localAccountId}:deliverystream/${deliveryStreamName}`;
}

export function tableNameFromArn(arn: string): string | undefined {
  return /:table\/([^/]+)/.exec(arn)?.[1];
}

/** The last segment of an SQS ARN or queue URL. */
export function queueNameFrom(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).at(-1) ?? arnOrUrl;
}

/** Queue URLs point at the local SQS endpoint (as LocalStack does), so the SDK reaches it whatever its settings. */
export function localQueueUrl(awsEndpoint: string, queueName: string): string {
  return `${awsEndpoint}/${localAccountId}/${queueName}`;
}

// AWS-shaped queue URLs, and local ones on another port (e.g. a stage param written for the default 4566).
const awsQueueUrl =
  /^(?:https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com|https?:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?)\/(\d{12})\/([^/]+)$/;

/** Rewrites an AWS-shaped queue URL to the local endpoint; other values are returned as they are. */
export function localizeQueueUrl(value: string, awsEndpoint: string): string {
  const match = awsQueueUrl.exec(value);
  return match ? localQueueUrl(awsEndpoint, match[2] ?? '') : value;
}
