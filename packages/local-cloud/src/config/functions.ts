import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { shippedBuildOptions } from '../lambda/bundles.js';
import { assertSupportedPattern, type EventPattern } from '../streams/event-filter.js';
import { queueNameFrom, tableNameFromArn } from './local-names.js';
import type {
  HttpRouteConfig,
  IotRuleConfig,
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
    ),
    handlerExport,
    environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)])),
    timeoutMs: timeoutMsOf(service, fn),
    maximumRetryAttempts: fn.maximumRetryAttempts ?? defaultAsyncRetries,
    iotRules: [],
    streams: [],
    schedules: [],
    httpRoutes: [],
    queues: [],
  };
  const onFailure = destinationQueue(fn.destinations?.onFailure, resolve);
  if (onFailure) built.onFailureQueue = onFailure;
  let iotIndex = 0;
  for (const event of fn.events ?? []) {
    if ('iot' in event) {
      iotIndex++;
      const iot = event.iot as Record<string, unknown>;
      if (iot.enabled !== false) built.iotRules.push(iotRule(iot, service, name, iotIndex, resolve));
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

function normalizedFunctionName(name: string): string {
  const replaced = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return replaced.charAt(0).toUpperCase() + replaced.slice(1);
}

function iotRule(
  iot: Record<string, unknown>,
  service: PrintedService,
  functionName: string,
  index: number,
  resolve: (value: unknown) => unknown,
): IotRuleConfig {
  const logicalId = `${normalizedFunctionName(functionName)}IotTopicRule${index}`;
  const rule: IotRuleConfig = {
    name: String(iot.name ?? logicalId),
    sql: String(iot.sql),
    sqlVersion: String(iot.sqlVersion ?? '2015-10-08'),
  };
  const extension = service.resources?.extensions?.[logicalId]?.Properties as
    | { TopicRulePayload?: { ErrorAction?: Record<string, Record<string, unknown>> } }
    | undefined;
  const sqsAction = extension?.TopicRulePayload?.ErrorAction?.Sqs;
  if (sqsAction?.QueueUrl) rule.errorActionQueue = queueNameFrom(String(resolve(sqsAction.QueueUrl)));
  return rule;
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
