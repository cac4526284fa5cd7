import type { BuildOptions } from 'esbuild';
import type { EventPattern } from '../streams/event-filter.js';

/** One function of one service, with everything the local cloud needs to run and trigger it. */
export interface LocalFunction {
  /** `<service>.<function key>`, unique across the cloud. */
  id: string;
  service: string;
  name: string;
  /** The deployed name (`<service>-<stage>-<fn>`): what the function sees as AWS_LAMBDA_FUNCTION_NAME. */
  functionName: string;
  serviceDir: string;
  /** The handler's source file (absolute). */
  handlerFile: string;
  /** The same file relative to the service dir: the entry serverless-esbuild bundles. */
  entry: string;
  /** The esbuild options `sls package` bundles this function with (`shippedBuildOptions`). */
  buildOptions: BuildOptions;
  handlerExport: string;
  /** The function's resolved environment, before the local endpoints are injected. */
  environment: Record<string, string>;
  timeoutMs: number;
  maximumRetryAttempts: number;
  /** Queue name of the async on-failure destination, if any. */
  onFailureQueue?: string;
  streams: StreamSubscription[];
  /** `stream` events of `type: kinesis`: the Kinesis event source mappings (src/kinesis). */
  kinesisStreams: KinesisSubscription[];
  schedules: ScheduleConfig[];
  httpRoutes: HttpRouteConfig[];
  /** `sqs` events: the queues this function consumes (event source mappings). */
  queues: QueueSubscription[];
}

/**
 * An IoT topic rule, whether a service declares it as an `AWS::IoT::TopicRule` resource or the framework generates
 * it from a function's `iot` event: both are read from the same `TopicRulePayload` (config/topic-rules.ts).
 */
export interface IotRuleConfig {
  name: string;
  sql: string;
  sqlVersion: string;
  actions: RuleAction[];
  /** Queue name of the rule's errorAction (SQS), if any. */
  errorActionQueue?: string;
}

/** The rule actions the local cloud runs; any other action type or property fails start-up. */
export type RuleAction =
  | { type: 'Lambda'; functionName: string }
  | { type: 'Firehose'; deliveryStreamName: string; separator: string }
  /** `partitionKey` is a substitution template (`${topic(2)}`), evaluated like a SELECT expression. */
  | { type: 'Kinesis'; streamName: string; partitionKey: string };

/** An `AWS::KinesisFirehose::DeliveryStream` (DirectPut → extended S3), as far as the local cloud runs it. */
export interface DeliveryStreamConfig {
  name: string;
  bucketName: string;
  /** `Prefix`, with its `!{namespace:key}` expressions still to expand per partition. */
  prefix: string;
  errorOutputPrefix: string;
  bufferIntervalS: number;
  bufferSizeMb: number;
  /** The MetadataExtraction processor's JQ query (dynamic partitioning), if enabled. */
  metadataExtractionQuery?: string;
  gzip: boolean;
}

export interface StreamSubscription {
  tableName: string;
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  onFailureQueue?: string;
  /** The event's `filterPatterns` (Lambda event filtering): a record reaches the function if it matches one. */
  filterPatterns?: EventPattern[];
}

/** A `stream` event of `type: kinesis`, as far as the local cloud emulates it (anything else fails start-up). */
export interface KinesisSubscription {
  streamName: string;
  /** Records per invocation, at most (Lambda's default 100). */
  batchSize: number;
  /** batchWindow (MaximumBatchingWindowInSeconds): how long to gather records before invoking with fewer. */
  batchingWindowMs: number;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  /** tumblingWindowInSeconds; 0 is no tumbling window. */
  tumblingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** Retries of a failed batch; "forever" (-1) is capped like the DynamoDB stream events. */
  maximumRetryAttempts: number;
  /** maximumRecordAgeInSeconds; absent is no limit (-1). */
  maximumRecordAgeSeconds?: number;
  onFailureQueue?: string;
}

export interface QueueSubscription {
  queueName: string;
  /** Messages per invocation, at most (Lambda's default 10). */
  batchSize: number;
  /** maximumBatchingWindow: how long to gather messages before invoking with fewer than batchSize. */
  batchingWindowMs: number;
  reportBatchItemFailures: boolean;
}

/** An `AWS::SQS::Queue` as declared: what the local queue honours. */
export interface QueueConfig {
  name: string;
  /** The queue's DelaySeconds; a SendMessage's own DelaySeconds wins. */
  delaySeconds: number;
  visibilityTimeoutS: number;
  /** RedrivePolicy: a message received maxReceiveCount times moves to deadLetterQueue on its next receive. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

export interface ScheduleConfig {
  expression: string;
  input?: unknown;
}

export interface HttpRouteConfig {
  method: string;
  path: string;
  /** Set when the route needs a JWT (the dev token). */
  jwtAuthorizer?: string;
}

export interface TableConfig {
  /** The name the services were configured with (`ev-charging-<stage>`). */
  configuredName: string;
  /** The CloudFormation Properties from the storage service (the one definition). */
  properties: Record<string, unknown>;
}

/** A service's resources as its CloudFormation stack would list them (for `sls invoke local`'s Ref lookups). */
export interface LocalStack {
  stackName: string;
  resources: { logicalId: string; type: string; physicalId: string }[];
}

export interface CloudConfig {
  stage: string;
  tables: TableConfig[];
  topicNames: string[];
  queueNames: string[];
  /** Every declared queue with the properties the local queues honour. */
  queues: QueueConfig[];
  functions: LocalFunction[];
  /** Fn::ImportValue names → values (the storage stack's exports). */
  exports: Record<string, string>;
  stacks: LocalStack[];
  /** Services that declare `custom.localCloud.notEmulated: <reason>`: not run locally, said at start-up. */
  notRun: { service: string; reason: string }[];
  /** Static web apps (`custom.localCloud.staticSite`), served by the HTTP API under their path. */
  staticSites: StaticSiteConfig[];
  /** Every topic rule: the functions' `iot` events and the `AWS::IoT::TopicRule` resources. */
  topicRules: IotRuleConfig[];
  /** `AWS::S3::Bucket` names. */
  bucketNames: string[];
  deliveryStreams: DeliveryStreamConfig[];
}

/** A service's built web app: what S3 + CloudFront serve on AWS, the local HTTP API serves under `path`. */
export interface StaticSiteConfig {
  service: string;
  /** URL path prefix, with its slashes: `/ops/`. */
  path: string;
  /** The built files (absolute). */
  dir: string;
  /** A build script (absolute, run with tsx) that writes `dir`; run when its sources are newer than the build. */
  build?: string;
}
