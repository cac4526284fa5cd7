import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { shippedBuildOptions } from '../lambda/bundles.js';
import { assertSupportedPattern, type EventPattern } from '../streams/event-filter.js';
import { kinesisStreamNameFromArn, queueNameFrom, tableNameFromArn } from './local-names.js';
import type {
  HttpRouteConfig,
  KinesisSubscription,
  LocalFunction,
  QueueSubscription,
  ScheduleConfig,
  StreamSubscription,
} from './model.js';
import type { PrintedFunction, PrintedService } from './serverless-print.js';

export interface BuildFunctionInput {
  service: PrintedService;
  serviceDir: string;
  name: string;
  fn: PrintedFunction;
  stage: string;
  resolve: (value: unknown) => unknown;
}

// AWS's default for async invocations and our cap for streams left at "retry forever" (-1).
const defaultAsyncRetries = 2;
const localStreamRetryCap = 10;

/** One printed function → what the local cloud runs: handler file, environment, and its triggers. */
/** A function's configured timeout, as Lambda applies it: its own, else the provider's, else Lambda's 6 s. */
export function timeoutMsOf(service: PrintedService, fn: PrintedFunction): number {
  return (fn.timeout ?? service.provider.timeout ?? 6) * 1000;
}

export function buildFunction(input: BuildFunctionInput): LocalFunction {
  const { service, serviceDir, name, fn, stage, resolve } = input;
  const [modulePath, handlerExport] = splitHandler(fn.handler);
  const environment = resolve({
    ...(service.provider.environment ?? {}),
    ...(fn.environment ?? {}),
  }) as Record<string, unknown>;
  const handlerFile = handlerFileFor(serviceDir, modulePath);
  const built: LocalFunction = {
    id: `${service.service}.${name}`,
    service: service.service,
    name,
    functionName: fn.name ?? `${service.service}-${stage}-${name}`,
    serviceDir,
    handlerFile,
    entry: relative(serviceDir, handlerFile),
    buildOptions: shippedBuildOptions(
      service.custom?.esbuild ?? {},
      runtimeTarget(fn.runtime ?? service.provider.runtime),
      serviceDir,
    ),
    handlerExport,
    environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)])),
    timeoutMs: timeoutMsOf(service, fn),
    maximumRetryAttempts: fn.maximumRetryAttempts ?? defaultAsyncRetries,
    streams: [],
    kinesisStreams: [],
    schedules: [],
    httpRoutes: [],
    queues: [],
  };
  const onFailure = destinationQueue(fn.destinations?.onFailure, resolve);
  if (onFailure) built.onFailureQueue = onFailure;
  for (const event of fn.events ?? []) {
    // `iot` events become topic rules beside the service's TopicRule resources (rules/topic-rules.ts).
    if ('iot' in event) continue;
    if ('stream' in event && isKinesisEvent(event.stream, resolve)) {
      const kinesis = kinesisSubscription(built.id, event.stream as Record<string, unknown>, resolve);
      if (kinesis) built.kinesisStreams.push(kinesis);
    } else if ('stream' in event) {
      const stream = streamSubscription(event.stream, resolve);
      if (stream) built.streams.push(stream);
    } else if ('sqs' in event) {
      const queue = queueSubscription(event.sqs, resolve);
      if (queue) built.queues.push(queue);
    } else if ('schedule' in event) {
      built.schedules.push(...schedules(event.schedule));
    } else if ('httpApi' in event) {
      built.httpRoutes.push(httpRoute(event.httpApi, service));
    } else {
      throw new Error(`${built.id}: unsupported event type ${Object.keys(event).join(',')}`);
    }
  }
  return built;
}

/** serverless-esbuild's target for a Lambda runtime: `nodejs22.x` → `node22`. */
export function runtimeTarget(runtime: string | undefined): string | undefined {
  const version = /^nodejs(\d+)\.x$/.exec(runtime ?? '')?.[1];
  return version ? `node${version}` : undefined;
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

function handlerFileFor(serviceDir: string, modulePath: string): string {
  for (const extension of ['.ts', '.mts', '.js', '.mjs']) {
    const candidate = join(serviceDir, `${modulePath}${extension}`);
    if (existsSync(candidate)) return candidate;
  }
  return join(serviceDir, `${modulePath}.ts`);
}

function destinationQueue(destination: unknown, resolve: (value: unknown) => unknown): string | undefined {
  if (destination === undefined) return undefined;
  const resolved = resolve(destination);
  const arn = typeof resolved === 'string' ? resolved : (resolved as { arn?: unknown }).arn;
  return typeof arn === 'string' ? queueNameFrom(arn) : undefined;
}

function streamSubscription(
  stream: unknown,
  resolve: (value: unknown) => unknown,
): StreamSubscription | undefined {
  const config = (typeof stream === 'string' ? { arn: stream } : resolve(stream)) as Record<string, unknown>;
  if (config.enabled === false) return undefined;
  const arn = String(resolve(config.arn));
  const tableName = tableNameFromArn(arn);
  if (!tableName) throw new Error(`stream event with an ARN the local cloud cannot map: ${arn}`);
  const retries = typeof config.maximumRetryAttempts === 'number' ? config.maximumRetryAttempts : -1;
  const subscription: StreamSubscription = {
    tableName,
    batchSize: typeof config.batchSize === 'number' ? config.batchSize : 100,
    maximumRetryAttempts: retries < 0 ? localStreamRetryCap : retries,
    bisectBatchOnFunctionError: config.bisectBatchOnFunctionError === true,
    reportBatchItemFailures: config.functionResponseType === 'ReportBatchItemFailures',
    startingPosition: config.startingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
  };
  if (Array.isArray(config.filterPatterns) && config.filterPatterns.length > 0) {
    config.filterPatterns.forEach((pattern, index) => {
      assertSupportedPattern(pattern, `stream filterPatterns[${index}]`);
    });
    subscription.filterPatterns = config.filterPatterns as EventPattern[];
  }
  const onFailure = destinationQueue(
    (config.destinations as { onFailure?: unknown } | undefined)?.onFailure,
    resolve,
  );
  if (onFailure) subscription.onFailureQueue = onFailure;
  return subscription;
}

function isKinesisEvent(stream: unknown, resolve: (value: unknown) => unknown): boolean {
  if (typeof stream === 'string') return stream.startsWith('arn:aws:kinesis:');
  const config = stream as { type?: unknown; arn?: unknown };
  if (config.type !== undefined) return config.type === 'kinesis';
  return String(resolve(config.arn)).startsWith('arn:aws:kinesis:');
}

// What src/kinesis emulates of a kinesis `stream` event; any other property fails start-up by name.
const emulatedKinesisProperties = new Set([
  'type',
  'arn',
  'enabled',
  'batchSize',
  'batchWindow',
  'startingPosition',
  'tumblingWindowInSeconds',
  'functionResponseType',
  'bisectBatchOnFunctionError',
  'maximumRetryAttempts',
  'maximumRecordAgeInSeconds',
  'destinations',
  'parallelizationFactor',
  // Enhanced fan-out changes how AWS reads the shard, not what the function receives.
  'consumer',
]);

/** A kinesis `stream` event (an event source mapping), refusing what the local cloud cannot emulate. */
function kinesisSubscription(
  functionId: string,
  stream: Record<string, unknown>,
  resolve: (value: unknown) => unknown,
): KinesisSubscription | undefined {
  const config = (typeof stream === 'string' ? { arn: stream } : resolve(stream)) as Record<string, unknown>;
  const refuse = (property: string, why: string) =>
    new Error(`${functionId}: kinesis stream event ${property}: ${why} (not emulated by the local cloud)`);
  for (const property of Object.keys(config))
    if (!emulatedKinesisProperties.has(property)) throw refuse(property, 'unsupported property');
  if (config.enabled === false) return undefined;
  const streamName = kinesisStreamNameFromArn(String(config.arn));
  if (!streamName) throw refuse('arn', `${String(config.arn)} is not a Kinesis data stream ARN`);
  const number = (property: string, fallback: number, min: number, max: number) => {
    const value = config[property] === undefined ? fallback : Number(config[property]);
    if (!Number.isInteger(value) || value < min || value > max)
      throw refuse(property, `${String(config[property])} is outside ${min}..${max}`);
    return value;
  };
  if (number('parallelizationFactor', 1, 1, 10) > 1)
    throw refuse('parallelizationFactor', 'one batch at a time per shard only');
  const startingPosition = config.startingPosition ?? 'LATEST';
  if (startingPosition !== 'LATEST' && startingPosition !== 'TRIM_HORIZON')
    throw refuse('startingPosition', `${String(startingPosition)}: LATEST or TRIM_HORIZON only`);
  const retries = number('maximumRetryAttempts', -1, -1, 10_000);
  const recordAge = number('maximumRecordAgeInSeconds', -1, -1, 604_800);
  const subscription: KinesisSubscription = {
    streamName,
    batchSize: number('batchSize', 100, 1, 10_000),
    batchingWindowMs: number('batchWindow', 0, 0, 300) * 1000,
    startingPosition,
    tumblingWindowSeconds: number('tumblingWindowInSeconds', 0, 0, 900),
    reportBatchItemFailures: config.functionResponseType === 'ReportBatchItemFailures',
    bisectBatchOnFunctionError: config.bisectBatchOnFunctionError === true,
    maximumRetryAttempts: retries < 0 ? localStreamRetryCap : retries,
    ...(recordAge >= 0 ? { maximumRecordAgeSeconds: recordAge } : {}),
  };
  const onFailure = (config.destinations as { onFailure?: unknown } | undefined)?.onFailure;
  if (onFailure !== undefined) {
    const arn = typeof onFailure === 'string' ? onFailure : (onFailure as { arn?: unknown }).arn;
    if (typeof arn !== 'string' || !arn.startsWith('arn:aws:sqs:'))
      throw refuse('destinations.onFailure', 'an SQS queue only');
    subscription.onFailureQueue = queueNameFrom(arn);
  }
  return subscription;
}

// Lambda's SQS event source defaults; filters, scaling and maximumConcurrency are not emulated.
const defaultQueueBatchSize = 10;

function queueSubscription(
  sqs: unknown,
  resolve: (value: unknown) => unknown,
): QueueSubscription | undefined {
  const config = (typeof sqs === 'string' ? { arn: sqs } : resolve(sqs)) as Record<string, unknown>;
  if (config.enabled === false) return undefined;
  const arn = String(resolve(config.arn));
  return {
    queueName: queueNameFrom(arn),
    batchSize: typeof config.batchSize === 'number' ? config.batchSize : defaultQueueBatchSize,
    batchingWindowMs:
      typeof config.maximumBatchingWindow === 'number' ? config.maximumBatchingWindow * 1000 : 0,
    reportBatchItemFailures: config.functionResponseType === 'ReportBatchItemFailures',
  };
}

function schedules(schedule: unknown): ScheduleConfig[] {
  if (typeof schedule === 'string') return [{ expression: schedule }];
  const config = schedule as { rate?: string | string[]; enabled?: boolean; input?: unknown };
  if (config.enabled === false) return [];
  const rates = Array.isArray(config.rate) ? config.rate : [config.rate ?? ''];
  return rates.map((expression) => ({
    expression,
    ...(config.input !== undefined ? { input: config.input } : {}),
  }));
}

function httpRoute(httpApi: unknown, service: PrintedService): HttpRouteConfig {
  if (typeof httpApi === 'string') {
    const [method = '*', path = '/'] = httpApi.split(' ');
    return { method: method.toUpperCase(), path };
  }
  const config = httpApi as {
    method?: string;
    path?: string;
    authorizer?: string | { name?: string; type?: string };
  };
  const route: HttpRouteConfig = { method: (config.method ?? '*').toUpperCase(), path: config.path ?? '/' };
  const authorizerName = typeof config.authorizer === 'string' ? config.authorizer : config.authorizer?.name;
  if (authorizerName) {
    const authorizer = service.provider.httpApi?.authorizers?.[authorizerName];
    if (authorizer && authorizer.type !== 'jwt' && authorizer.type !== undefined)
      throw new Error(`httpApi authorizer ${authorizerName}: only jwt authorizers run locally`);
    route.jwtAuthorizer = authorizerName;
  }
  return route;
}
