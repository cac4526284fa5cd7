import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import {
  generatedTopicRules,
  normalizedFunctionName,
  type TopicRuleTemplate,
  topicRuleFrom,
} from '../rules/topic-rules.js';
import { deliveryStreamFrom } from './delivery-streams.js';
import { buildFunction } from './functions.js';
import {
  type IntrinsicContext,
  type ResourceTemplate,
  resolveConditionals,
  resolveIntrinsics,
} from './intrinsics.js';
import { localizeQueueUrl, queueNameFrom } from './local-names.js';
import type {
  CloudConfig,
  DeliveryStreamConfig,
  IotRuleConfig,
  LocalFunction,
  LocalStack,
  QueueConfig,
  StaticSiteConfig,
  TableConfig,
} from './model.js';
import { servicesRoot } from './paths.js';
import { assertKnownResourceTypes } from './resource-types.js';
import { type DeployParams, type PrintedService, printService } from './serverless-print.js';

export interface LoadConfigOptions {
  /** Service folder names under services/, or absolute service dirs; default every services/* with a serverless.yml. */
  services?: string[];
  stage?: string;
  /** Deploy params for every service (`--param name=value`), over each service's defaults. */
  params?: DeployParams;
  awsEndpoint: string;
  /** The local table name; functions configured with the storage table's name get this one. */
  tableName: string;
}

/** Every service with a serverless.yml under services/. */
export function discoverServices(): string[] {
  return readdirSync(servicesRoot)
    .filter((entry) => existsSync(join(servicesRoot, entry, 'serverless.yml')))
    .sort();
}

/** Prints every service (in parallel, cached) and resolves it to the local resources. */
export async function loadCloudConfig(options: LoadConfigOptions): Promise<CloudConfig> {
  const stage = options.stage ?? 'local';
  const requested = options.services ?? discoverServices();
  // Storage owns the table and topic: it is always read, even when only other services run.
  const serviceDirs = [...new Set(['storage', ...requested])].map((service) =>
    isAbsolute(service) ? service : join(servicesRoot, service),
  );
  for (const dir of serviceDirs) {
    if (!existsSync(join(dir, 'serverless.yml')))
      throw new Error(`no serverless.yml in ${dir} (unknown service?)`);
  }
  // Without the telemetry service, the rules that carry its actions leave them out (as a deploy without it does).
  const params = {
    ...(serviceDirs.some((dir) => basename(dir) === 'telemetry') ? {} : { telemetry: 'false' }),
    ...options.params,
  };
  const allPrinted = await Promise.all(serviceDirs.map((dir) => printService(dir, stage, params)));
  // A service whose resources the local cloud cannot emulate yet says so by name and is left out, never half run.
  const notRun = allPrinted.flatMap((service) => {
    const reason = service.custom?.localCloud?.notEmulated;
    return reason ? [{ service: service.service, reason }] : [];
  });
  const runs = allPrinted.map((service) => !service.custom?.localCloud?.notEmulated);
  const printed = allPrinted.filter((_service, index) => runs[index]);
  serviceDirs.splice(0, serviceDirs.length, ...serviceDirs.filter((_dir, index) => runs[index]));
  const tables: TableConfig[] = [];
  const topicNames: string[] = [];
  const queueNames: string[] = [];
  for (const service of printed) {
    for (const resource of Object.values(service.resources?.Resources ?? {})) {
      const properties = resource.Properties ?? {};
      if (resource.Type === 'AWS::DynamoDB::Table')
        tables.push({ configuredName: String(properties.TableName), properties });
      if (resource.Type === 'AWS::SNS::Topic') topicNames.push(String(properties.TopicName));
      if (resource.Type === 'AWS::SQS::Queue') queueNames.push(String(properties.QueueName));
    }
  }
  const table = tables[0];
  if (!table) throw new Error('no AWS::DynamoDB::Table resource found (services/storage/serverless.yml)');
  const imports: Record<string, string> = {};
  const resolverFor = (service: PrintedService) => {
    const context: IntrinsicContext = {
      stage,
      resources: (service.resources?.Resources ?? {}) as Record<string, ResourceTemplate>,
      imports,
      awsEndpoint: options.awsEndpoint,
      conditions: service.resources?.Conditions ?? {},
    };
    const resolve = (value: unknown) =>
      localizeValue(
        resolveIntrinsics(value, context),
        table.configuredName,
        options.tableName,
        options.awsEndpoint,
      );
    return { context, resolve };
  };
  // The storage stack's exports, as its Outputs declare them (printed[0] is storage), resolved to local resources.
  const storage = printed[0];
  if (storage) {
    const { resolve } = resolverFor(storage);
    for (const output of Object.values(storage.resources?.Outputs ?? {})) {
      if (output.Export) imports[String(resolve(output.Export.Name))] = String(resolve(output.Value));
    }
  }
  const functions: LocalFunction[] = [];
  const stacks: LocalStack[] = [];
  const queues: QueueConfig[] = [];
  const topicRules: IotRuleConfig[] = [];
  const bucketNames: string[] = [];
  const deliveryStreams: DeliveryStreamConfig[] = [];
  printed.forEach((service, index) => {
    const { context, resolve } = resolverFor(service);
    assertKnownResourceTypes(service.service, context.resources);
    // The rules the framework generates from `iot` events and the declared ones: one template, one reader.
    const ruleTemplates: TopicRuleTemplate[] = Object.entries(service.functions ?? {}).flatMap(([key, fn]) =>
      generatedTopicRules(key, fn, service.resources?.extensions ?? {}),
    );
    for (const [logicalId, resource] of Object.entries(context.resources)) {
      const properties = resource.Properties ?? {};
      if (resource.Type === 'AWS::SQS::Queue') queues.push(queueConfig(properties, resolve));
      if (resource.Type === 'AWS::IoT::TopicRule') ruleTemplates.push({ logicalId, properties });
      if (resource.Type === 'AWS::S3::Bucket') bucketNames.push(String(resolve({ Ref: logicalId })));
      if (resource.Type === 'AWS::KinesisFirehose::DeliveryStream')
        deliveryStreams.push(deliveryStreamFrom(logicalId, properties, resolve));
    }
    const functionNames = new Map(
      Object.entries(service.functions ?? {}).map(([key, fn]) => [
        `${normalizedFunctionName(key)}LambdaFunction`,
        fn.name ?? `${service.service}-${stage}-${key}`,
      ]),
    );
    for (const template of ruleTemplates) {
      const rule = topicRuleFrom(template, {
        resolve,
        resolveConditionals: (value) => resolveConditionals(value, context),
        functionNameOf: (logicalId) => functionNames.get(logicalId),
      });
      if (rule) topicRules.push(rule);
    }
    stacks.push({
      stackName: `${service.service}-${stage}`,
      resources: Object.entries(context.resources).map(([logicalId, resource]) => ({
        logicalId,
        type: resource.Type,
        physicalId: String(resolve({ Ref: logicalId })),
      })),
    });
    for (const [name, fn] of Object.entries(service.functions ?? {})) {
      functions.push(
        buildFunction({
          service: service as PrintedService,
          serviceDir: serviceDirs[index] ?? '',
          name,
          fn,
          stage,
          resolve,
        }),
      );
    }
  });
  const staticSites = printed.flatMap((service, index): StaticSiteConfig[] => {
    const site = service.custom?.localCloud?.staticSite;
    const serviceDir = serviceDirs[index] ?? '';
    if (!site?.path || !site.dir) return [];
    return [
      {
        service: service.service,
        path: site.path.endsWith('/') ? site.path : `${site.path}/`,
        dir: join(serviceDir, site.dir),
        ...(site.build ? { build: join(serviceDir, site.build) } : {}),
      },
    ];
  });
  return {
    stage,
    tables,
    topicNames,
    queueNames,
    queues,
    functions,
    exports: imports,
    stacks,
    notRun,
    staticSites,
    topicRules,
    bucketNames,
    deliveryStreams,
  };
}

// SQS's defaults: no delay, 30 s visibility timeout.
function queueConfig(properties: Record<string, unknown>, resolve: (value: unknown) => unknown): QueueConfig {
  const resolved = resolve(properties) as Record<string, unknown>;
  const config: QueueConfig = {
    name: String(resolved.QueueName),
    delaySeconds: Number(resolved.DelaySeconds ?? 0),
    visibilityTimeoutS: Number(resolved.VisibilityTimeout ?? 30),
  };
  const redrive = (
    typeof resolved.RedrivePolicy === 'string' ? JSON.parse(resolved.RedrivePolicy) : resolved.RedrivePolicy
  ) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
  if (redrive?.deadLetterTargetArn) {
    config.redrive = {
      deadLetterQueue: queueNameFrom(String(redrive.deadLetterTargetArn)),
      maxReceiveCount: Number(redrive.maxReceiveCount ?? 10),
    };
  }
  return config;
}

// The configured table name becomes the local one (tests use unique tables); AWS queue URLs point at the local endpoint.
function localizeValue(
  value: unknown,
  configuredTable: string,
  tableName: string,
  awsEndpoint: string,
): unknown {
  if (typeof value === 'string') {
    if (value === configuredTable) return tableName;
    return localizeQueueUrl(value, awsEndpoint).replace(`:table/${configuredTable}`, `:table/${tableName}`);
  }
  if (Array.isArray(value))
    return value.map((item) => localizeValue(item, configuredTable, tableName, awsEndpoint));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        localizeValue(item, configuredTable, tableName, awsEndpoint),
      ]),
    );
  return value;
}
