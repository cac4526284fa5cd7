import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDocumentClient,
  createDynamoDbClient,
  gatewayOfCharger,
  getCharger,
  type TableContext,
} from '@evcharge/dynamo';
import { hashCredential, verifyCredential, verifyDevToken } from '@evcharge/local-identity';
import { startAwsServer } from './aws/aws-server.js';
import { type BrokerMessage, startBroker } from './broker/broker.js';
import { loadCloudConfig } from './config/load-cloud-config.js';
import { topicArn } from './config/local-names.js';
import type { CloudConfig, LocalFunction } from './config/model.js';
import { stateDir } from './config/paths.js';
import { findFreePort, startDynamoDbLocal } from './dynamodb/dynamodb-local-server.js';
import { assertPortFree, createLocalTable } from './dynamodb/local-table.js';
import { startFirehose } from './firehose/index.js';
import { localGatewayCredential, startOcppGateway } from './gateway/ocpp-gateway-process.js';
import { verifiedSecretCache } from './gateway/verified-secret-cache.js';
import { startHttpApi } from './http-api/http-api-server.js';
import { decodeClaims } from './http-api/jwt-claims.js';
import { ensureStaticSiteBuilt } from './http-api/static-site.js';
import { KinesisStreamStore, startKinesisMappings } from './kinesis/index.js';
import { LambdaRuntime } from './lambda/lambda-runtime.js';
import { QueuePoller } from './queues/queue-poller.js';
import { WorkQueues } from './queues/work-queues.js';
import { compileRules, RulesEngine } from './rules/rules-engine.js';
import { LocalObjectStore } from './s3/object-store.js';
import { Scheduler } from './schedules/scheduler.js';
import { type DeadLetterRecord, DeadLetterStore } from './state/dead-letters.js';
import { MessageLog } from './state/message-log.js';
import { NotificationStore, type PublishedNotification } from './state/notifications.js';
import { DataDir } from './state/persistence.js';
import { CloudStats } from './state/stats.js';
import { StreamCheckpoints, startStreamSubscriptions } from './streams/stream-subscriptions.js';
import { waitFor } from './wait-for.js';

export interface LocalCloudOptions {
  /** Service folder names (or absolute service dirs); default every services/* with a serverless.yml. */
  services?: string[];
  /** 0 picks a free port. Defaults: mqtt 1883, aws 4566, http 3000, dynamodb 8000. */
  /** `ocpp` starts the OCPP 1.6J gateway beside the cloud (0: a free port); absent, no gateway runs. */
  ports?: { mqtt?: number; aws?: number; http?: number; dynamodb?: number; ocpp?: number };
  /** Schedules run this many times faster (SQS delays and visibility timeouts stay real time). */
  timeFactor?: number;
  /** Reuse an already-running DynamoDB Local instead of starting one. */
  dynamodbEndpoint?: string;
  tableName?: string;
  stage?: string;
  /**
   * The local OCPP gateway sends heartbeats and meter readings through IoT Basic Ingest (`$aws/rules/<rule>/…`),
   * as it does on AWS with the default `basicIngest` param. Chargers may always use those topics, as the IoT
   * policy lets them. Default false: everything through the broker.
   */
  basicIngest?: boolean;
  /** Without a dataDir: where the local S3 keeps its objects (kept after stop); default a temp dir gone at stop. */
  s3Dir?: string;
  /** Deploy params for every service, as `sls deploy --param name=value` takes them (`npm start -- --param`). */
  params?: Record<string, string>;
  quiet?: boolean;
  /** Where cloud log lines go (refusals, failures); default console unless quiet. */
  onLog?: (line: string) => void;
  /** Function stdout/stderr: files under .local-cloud/logs (default), the terminal, or nowhere (default when quiet). */
  functionLogs?: 'files' | 'inherit' | 'discard';
  /**
   * Keep everything across restarts in this directory: DynamoDB Local's database, dead letters, notifications,
   * work queues and stream positions. In memory when absent.
   */
  dataDir?: string;
  /**
   * Import the functions' bundles after the cloud is ready instead of before (`npm start`: a faster start; the
   * first message to each function waits for its import, as a Lambda cold start does). Default: before.
   */
  loadFunctionsAfterReady?: boolean;
  /** Delay before Lambda async retry n; default 200 ms × n. */
  asyncRetryDelayMs?: (attempt: number) => number;
  /** Site gateways the broker lets act for the chargers assigned to them (MQTT username = gatewayId). */
  gateways?: { gatewayId: string; password: string }[];
}

export interface LocalCloudEndpoints {
  mqttUrl: string;
  /** The OCPP gateway's base URL (`ws://127.0.0.1:<port>/ocpp`; a charger appends `/<chargerId>`), when it runs. */
  ocpp?: string;
  aws: string;
  http: string;
  dynamodb: string;
  /** Each service's web app (`custom.localCloud.staticSite`) on the HTTP API: `{ 'ops-console': 'http://…/ops/' }`. */
  sites: Record<string, string>;
}

export interface LocalCloudStats {
  messagesByTopic: Record<string, number>;
  invocations: number;
  invocationsByFunction: Record<string, number>;
  errors: number;
  errorsByFunction: Record<string, number>;
  /**
   * Asynchronous events (an IoT rule's Lambda action) done with, by function: each counts once, when it
   * succeeded or went to the on-failure destination, however many retries it took. What a test waits on to
   * know that a message has been processed (invocations count every retry).
   */
  asyncEventsSettledByFunction: Record<string, number>;
  ruleErrors: number;
  streamRecords: number;
  streamRecordsFilteredOut: number;
  httpRequests: number;
  notifications: number;
  deadLetters: number;
  connectedClients: number;
  refused: { connections: number; publishes: number; subscribes: number };
}

/** How long each phase of start-up took (they overlap: DynamoDB Local starts beside config and bundles). */
export interface LocalCloudStartup {
  /** From the call to each phase's end, ms. */
  phasesMs: { config: number; functions: number; dynamodb: number; ready: number };
  /** Functions bundled this start, and those whose bundle was reused unchanged. */
  bundles: { built: number; cached: number };
  /** Settles with the ms from the start when every function has imported its bundle (after ready, if lazy). */
  functionsLoaded: Promise<number>;
  /** Services left out because the local cloud cannot emulate what they declare yet, with the reason they give. */
  notRun: { service: string; reason: string }[];
}

export interface LocalCloud {
  /** The stage the services were printed for (names, Basic Ingest rule names). */
  stage: string;
  endpoints: LocalCloudEndpoints;
  startup: LocalCloudStartup;
  table: TableContext;
  functions: LocalFunction[];
  /** The env a developer (or `sls invoke local`) needs to reach this cloud. */
  env: Record<string, string>;
  notifications: () => PublishedNotification[];
  deadLetters: () => DeadLetterRecord[];
  stats: () => LocalCloudStats;
  /** Messages in a work queue (one an `sqs` event consumes), delayed, visible or in flight. */
  queueDepth: (queue: string) => number;
  /** The local Kinesis Data Streams (`putRecord(streamName, partitionKey, data)`), one per `AWS::Kinesis::Stream`. */
  kinesis: KinesisStreamStore;
  /** Where the local S3 keeps bucket `b`'s key `k`: `<s3Dir>/<b>/<k>` (`<data-dir>/s3`, else a temp dir removed at stop). */
  s3Dir: string;
  /** Delivers what every Firehose delivery stream has buffered now, instead of at its interval. */
  flushDeliveryStreams: () => Promise<void>;
  /** Sees every message the broker accepts (device, data plane, lifecycle); returns an unsubscribe. */
  observe: (listener: (message: BrokerMessage) => void) => () => void;
  /** Publishes as the cloud (like the IoT data plane). */
  publish: (topic: string, payload: string | Buffer) => Promise<void>;
  waitFor: <T>(predicate: () => T | Promise<T>, timeoutMs?: number) => Promise<NonNullable<T>>;
  stop: () => Promise<void>;
}

const defaultPorts = { mqtt: 1883, aws: 4566, http: 3000, dynamodb: 8000 };

/** Starts DynamoDB Local, the AWS endpoints, the broker, the rules engine, streams, schedules and the HTTP API. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const startedAt = performance.now();
  // Settles once the cloud is up (or failed to start): what lazily loaded functions wait for.
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  const since = () => Math.round(performance.now() - startedAt);
  const ports = { ...defaultPorts, ...options.ports };
  const tableName = options.tableName ?? 'ev-charging-local';
  const log = options.onLog ?? (options.quiet ? () => undefined : (line: string) => console.log(line));
  const stats = new CloudStats();
  const deadLetters = new DeadLetterStore();
  const notifications = new NotificationStore();
  const workQueues = new WorkQueues(deadLetters);
  const messageLog = new MessageLog();
  const cleanups: (() => Promise<void> | void)[] = [];
  const dataDir = options.dataDir ? new DataDir(options.dataDir) : undefined;
  const checkpoints = dataDir ? new StreamCheckpoints() : undefined;
  if (dataDir && checkpoints) {
    dataDir.track('dead-letters', deadLetters);
    dataDir.track('notifications', notifications);
    dataDir.track('stream-checkpoints', checkpoints);
    // Cleanups run last to first: the final write comes after every poller and function has stopped.
    cleanups.push(() => dataDir.close());
  }
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  deadLetters.onAdded((letter) =>
    log(
      `dead letter (${letter.source}) ${letter.functionId ?? letter.ruleName ?? letter.queue}: ${letter.reason}`,
    ),
  );

  let dynamoStarting: Promise<void> | undefined;
  let config: CloudConfig | undefined;
  try {
    const topicArns = new Set<string>();
    let publishToBroker: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void> = async () => {
      throw new Error('broker not started yet');
    };
    let invokeFunction: NonNullable<Parameters<typeof startAwsServer>[0]['invokeFunction']> = async () =>
      undefined;
    let objectStore: LocalObjectStore | undefined;
    const aws = await startAwsServer({
      port: ports.aws,
      notifications,
      deadLetters,
      workQueues,
      topicArns,
      publishToBroker: (topic, payload, qos) => publishToBroker(topic, payload, qos),
      stats: () => snapshot(),
      messages: (filter) => messageLog.list(filter),
      functionIdFor: (functionName) => config?.functions.find((fn) => fn.functionName === functionName)?.id,
      invokeFunction: (functionName, payload, isAsync) => invokeFunction(functionName, payload, isAsync),
      cloudFormation: { exports: () => config?.exports ?? {}, stacks: () => config?.stacks ?? [] },
      objectStore: () => objectStore,
    });
    cleanups.push(() => aws.close());

    // DynamoDB Local (seconds of JVM start) starts while the config is read and the functions load.
    const dynamodbPort = options.dynamodbEndpoint ? 0 : ports.dynamodb || (await findFreePort());
    const dynamodbEndpoint = options.dynamodbEndpoint ?? `http://127.0.0.1:${dynamodbPort}`;
    if (!options.dynamodbEndpoint) {
      // Another DynamoDB Local on the port would answer our readiness probe: refuse instead of sharing it.
      await assertPortFree(dynamodbPort, 'DynamoDB Local (--dynamodb-port / LOCAL_CLOUD_DYNAMODB_PORT)');
      dynamoStarting = startDynamoDbLocal({
        port: dynamodbPort,
        ...(dataDir ? { dbPath: dataDir.dynamodbPath } : {}),
      }).then((dynamo) => {
        cleanups.push(() => dynamo.stop());
      });
    }
    config = await loadCloudConfig({
      ...(options.services ? { services: options.services } : {}),
      ...(options.stage ? { stage: options.stage } : {}),
      ...(options.params ? { params: options.params } : {}),
      awsEndpoint: aws.endpoint,
      tableName,
    });
    const configMs = since();
    const admin = createDynamoDbClient({ endpoint: dynamodbEndpoint });
    cleanups.push(() => admin.destroy());
    for (const name of config.topicNames) topicArns.add(topicArn(name));
    // A queue an `sqs` event consumes is a work queue (with its declared delay, visibility and redrive);
    // every other declared queue is a dead-letter queue.
    for (const fn of config.functions) {
      for (const subscription of fn.queues) {
        const name = subscription.queueName;
        workQueues.declare(
          config.queues.find((queue) => queue.name === name) ?? {
            name,
            delaySeconds: 0,
            visibilityTimeoutS: 30,
          },
        );
      }
    }
    for (const name of config.queueNames) if (!workQueues.has(name)) deadLetters.ensureQueue(name);
    dataDir?.track('work-queues', workQueues);
    for (const fn of config.functions) {
      if (fn.onFailureQueue) deadLetters.ensureQueue(fn.onFailureQueue);
      for (const kinesisStream of fn.kinesisStreams)
        if (kinesisStream.onFailureQueue) deadLetters.ensureQueue(kinesisStream.onFailureQueue);
      for (const stream of fn.streams)
        if (stream.onFailureQueue) deadLetters.ensureQueue(stream.onFailureQueue);
    }
    // Kinesis streams by name, for the rules' Kinesis actions and the functions' kinesis events.
    const kinesis = new KinesisStreamStore();
    for (const stack of config.stacks)
      for (const resource of stack.resources)
        if (resource.type === 'AWS::Kinesis::Stream') kinesis.declare(resource.physicalId);
    // S3 and Firehose: objects on disk where the analytics CLI reads them; in memory means the caller's s3Dir
    // (npm start: .local-cloud/s3, emptied at start) or else a temp dir gone at stop.
    const s3Dir = dataDir
      ? join(dataDir.path, 's3')
      : (options.s3Dir ?? join(mkdtempSync(join(tmpdir(), 'local-cloud-')), 's3'));
    if (!dataDir && !options.s3Dir)
      cleanups.push(() => rmSync(join(s3Dir, '..'), { recursive: true, force: true }));
    objectStore = new LocalObjectStore(s3Dir, config.bucketNames);
    const firehose = await startFirehose(config.deliveryStreams, { sink: objectStore, onError: log });
    // Pushed before the broker's cleanup, so it runs after it: every record accepted is delivered.
    cleanups.push(() => firehose.stop());
    const functionIdOf = (functionName: string) =>
      config?.functions.find((fn) => fn.functionName === functionName)?.id;
    const rules = compileRules(config.topicRules, {
      functionIdOf,
      hasDeliveryStream: (name) => firehose.has(name),
      hasKinesisStream: (name) => kinesis.has(name),
    });
    // Web apps build (when their sources changed) beside DynamoDB Local's start; a failed build is reported.
    const sitesBuilt = Promise.all(
      config.staticSites.map((site) =>
        ensureStaticSiteBuilt(site).catch((error: unknown) => log((error as Error).message)),
      ),
    );

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SNS: aws.endpoint,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: aws.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint,
      AWS_ENDPOINT_URL_S3: aws.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: tableName,
    };
    const functionLogs = options.functionLogs ?? (options.quiet ? 'discard' : 'files');
    const logStreams: WriteStream[] = [];
    const runtime = new LambdaRuntime({
      functions: config.functions,
      injectedEnv: env,
      deadLetters,
      stats,
      ...(options.asyncRetryDelayMs ? { retryDelayMs: options.asyncRetryDelayMs } : {}),
      logFor: (fn) => {
        if (functionLogs === 'inherit') return process.stdout;
        if (functionLogs === 'discard') return undefined;
        mkdirSync(join(stateDir, 'logs'), { recursive: true });
        const stream = createWriteStream(join(stateDir, 'logs', `${fn.id}.log`));
        logStreams.push(stream);
        return stream;
      },
    });
    // Lambda Invoke on the AWS port (`pnpm redrive` replays dead letters through it).
    invokeFunction = async (functionName, payload, isAsync) => {
      const id = config?.functions.find(
        (fn) => fn.functionName === functionName || fn.id === functionName,
      )?.id;
      if (!id) return undefined;
      if (!isAsync) return runtime.invoke(id, payload);
      runtime.invokeAsync(id, payload);
      return { ok: true, result: null };
    };
    cleanups.push(async () => {
      await runtime.stop();
      for (const stream of logStreams) stream.end();
    });
    const [loaded, dynamodbMs] = await Promise.all([
      runtime
        .load({
          ...(options.loadFunctionsAfterReady ? { importAfter: ready } : {}),
          onLoadError: (error) => log(`function failed to load: ${error.message}`),
        })
        .then(({ built, cached, loaded }) => ({
          bundles: { built, cached },
          loaded: loaded.then(() => since()),
          functionsMs: since(),
        })),
      (async () => {
        await dynamoStarting;
        await createLocalTable(admin, tableName, config.tables[0]?.properties ?? {});
        return since();
      })(),
    ]);

    const table: TableContext = { client: createDocumentClient({ endpoint: dynamodbEndpoint }), tableName };
    // Held only as slow hashes, like a charger's credential.
    const localGateway = options.ports?.ocpp === undefined ? undefined : localGatewayCredential();
    const gatewayHashes = new Map(
      [...(options.gateways ?? []), ...(localGateway ? [localGateway] : [])].map((gateway) => [
        gateway.gatewayId,
        hashCredential(gateway.password),
      ]),
    );
    // A gateway opens one connection per charger: its own secret is slow-hashed once, not on every connect.
    const gatewayVerifier = verifiedSecretCache(verifyCredential);
    cleanups.push(() => table.client.destroy());
    const observers = new Set<(message: BrokerMessage) => void>();
    const rulesEngine = new RulesEngine(
      rules,
      {
        functionIdOf,
        invokeAsync: (id, event) => runtime.invokeAsync(id, event),
        hasDeliveryStream: (name) => firehose.has(name),
        putFirehoseRecord: async (name, data) => firehose.putRecord(name, data),
        hasKinesisStream: (name) => kinesis.has(name),
        putKinesisRecord: (name, partitionKey, data) => {
          kinesis.putRecord(name, partitionKey, data);
        },
      },
      deadLetters,
      stats,
    );
    const broker = await startBroker({
      port: ports.mqtt,
      verifyCharger: async (chargerId, password) => {
        const charger = (await getCharger(table, chargerId)) as { credentialHash?: string } | undefined;
        return Boolean(charger?.credentialHash) && verifyCredential(password, charger?.credentialHash ?? '');
      },
      verifyGateway: async (gatewayId, password, chargerId) => {
        const gateway = gatewayHashes.get(gatewayId);
        if (!gateway || !(await gatewayVerifier.verify(gatewayId, password, gateway))) return false;
        return (await gatewayOfCharger(table, chargerId)) === gatewayId;
      },
      onMessage: (message) => {
        for (const observer of observers) observer(message);
        messageLog.add({
          topic: message.topic,
          clientId: message.clientId,
          payload: message.payload.toString('utf8'),
          at: new Date().toISOString(),
        });
        stats.countMessage(message.topic);
        rulesEngine.handle(message);
      },
      log,
      basicIngestStage: config.stage,
      onRefused: (kind) => {
        if (kind === 'connect') stats.refusedConnections++;
        if (kind === 'publish') stats.refusedPublishes++;
        if (kind === 'subscribe') stats.refusedSubscribes++;
      },
    });
    cleanups.push(() => broker.close());
    publishToBroker = (topic, payload, qos) => broker.publish(topic, payload, qos);

    const ocppGateway =
      localGateway && options.ports?.ocpp !== undefined
        ? await startOcppGateway({
            port: options.ports.ocpp || (await findFreePort()),
            mqttUrl: broker.url,
            tableName,
            env,
            password: localGateway.password,
            ...(options.basicIngest ? { settings: { BASIC_INGEST_STAGE: config.stage } } : {}),
            onLog: (line) => {
              if (/"level":"(warn|error)"/.test(line)) log(`ocpp gateway: ${line}`);
            },
          })
        : undefined;
    if (ocppGateway) cleanups.push(() => ocppGateway.stop());

    const pollers = await startStreamSubscriptions({
      functions: config.functions,
      tableName,
      dynamodb: admin,
      endpoint: dynamodbEndpoint,
      runtime,
      deadLetters,
      stats,
      ...(checkpoints ? { checkpoints } : {}),
    });
    cleanups.push(() => Promise.all(pollers.map((poller) => poller.stop())).then(() => undefined));
    const kinesisMappings = startKinesisMappings({
      functions: config.functions,
      streams: kinesis,
      runtime,
      deadLetters,
    });
    cleanups.push(() => kinesisMappings.stop());

    const queuePollers = config.functions.flatMap((fn) =>
      fn.queues.map(
        (subscription) =>
          new QueuePoller({
            subscription,
            queues: workQueues,
            invoke: (event) => runtime.invoke(fn.id, event),
          }),
      ),
    );
    for (const poller of queuePollers) poller.start();
    cleanups.push(() => Promise.all(queuePollers.map((poller) => poller.stop())).then(() => undefined));

    const scheduler = new Scheduler({
      functions: config.functions,
      timeFactor: options.timeFactor ?? 1,
      invokeAsync: (id, event) => runtime.invokeAsync(id, event),
    });
    scheduler.start();
    cleanups.push(() => scheduler.stop());

    await sitesBuilt;
    const httpApi = await startHttpApi({
      port: ports.http,
      functions: config.functions,
      staticSites: config.staticSites,
      invoke: (id, event) => runtime.invoke(id, event),
      verifyToken: async (token) => {
        await verifyDevToken(token);
        return decodeClaims(token);
      },
      onRequest: () => {
        stats.httpRequests++;
      },
    });
    cleanups.push(() => httpApi.close());

    function snapshot(): LocalCloudStats {
      return {
        messagesByTopic: { ...stats.messagesByTopic },
        invocations: stats.invocations,
        invocationsByFunction: { ...stats.invocationsByFunction },
        errors: stats.errors,
        errorsByFunction: { ...stats.errorsByFunction },
        asyncEventsSettledByFunction: { ...stats.asyncEventsSettledByFunction },
        ruleErrors: stats.ruleErrors,
        streamRecords: stats.streamRecords,
        streamRecordsFilteredOut: stats.streamRecordsFilteredOut,
        httpRequests: stats.httpRequests,
        notifications: notifications.count,
        deadLetters: deadLetters.list().length,
        connectedClients: broker.connectedClients(),
        refused: {
          connections: stats.refusedConnections,
          publishes: stats.refusedPublishes,
          subscribes: stats.refusedSubscribes,
        },
      };
    }

    let stopping: Promise<void> | undefined;
    signalReady();
    const startup: LocalCloudStartup = {
      phasesMs: { config: configMs, functions: loaded.functionsMs, dynamodb: dynamodbMs, ready: since() },
      bundles: loaded.bundles,
      functionsLoaded: loaded.loaded,
      notRun: config.notRun,
    };
    return {
      stage: config.stage,
      endpoints: {
        mqttUrl: broker.url,
        aws: aws.endpoint,
        http: httpApi.url,
        dynamodb: dynamodbEndpoint,
        ...(ocppGateway ? { ocpp: ocppGateway.baseUrl } : {}),
        sites: Object.fromEntries(
          config.staticSites.map((site) => [site.service, `${httpApi.url}${site.path}`]),
        ),
      },
      startup,
      table,
      functions: config.functions,
      env,
      notifications: () => notifications.list(),
      deadLetters: () => deadLetters.list(),
      stats: snapshot,
      queueDepth: (queue) => workQueues.depth(queue),
      s3Dir,
      flushDeliveryStreams: () => firehose.flush(),
      kinesis,
      observe: (listener) => {
        observers.add(listener);
        return () => observers.delete(listener);
      },
      publish: (topic, payload) =>
        broker.publish(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), 1),
      waitFor,
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    signalReady();
    // A JVM still starting must be stopped too: wait for it before cleaning up.
    await dynamoStarting?.catch(() => undefined);
    await stopAll();
    throw error;
  }
}
