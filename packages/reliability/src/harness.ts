import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type AddIdTagInput, addIdTag } from '@evcharge/dynamo';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '@evcharge/local-cloud';
import { createLambdaContext } from '@evcharge/middleware/testing';
import { registerChargerLocally } from '@evcharge/operator-cli';
import { createTestTable, type TestTable } from '@evcharge/testing';
import type { Context } from 'aws-lambda';
import mqtt, { type MqttClient } from 'mqtt';
import { type RecordingAws, startRecordingAws } from './recording-aws.js';
import { repoRoot } from './templates.js';

// The two ways the reliability tests reach the services: their handlers called in-process (a table and the
// recording AWS endpoints), or the whole local cloud with a charger connected over MQTT.

/** RELIABILITY_FULL=1 runs the long version; `pnpm test` runs a bounded one. */
export const fullRun = process.env.RELIABILITY_FULL === '1';
/** RELIABILITY_SEED replays a run; otherwise every run draws its own (the tests print it). */
export const runSeed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
/** How many generated cases a property runs (per topic, per route): RELIABILITY_CASES, or by run mode. */
export const propertyCases = Number(process.env.RELIABILITY_CASES ?? (fullRun ? 1_000 : 200));

/** A deployed function: its handler file (from the repo root) and its name on the local stage. */
export interface ServiceFunction {
  file: string;
  functionName: string;
}

/** `services/<service>/src/handlers/<handler>.ts`, named as deployed: `<service>-local-<handlerInCamelCase>`. */
export function serviceFunction(service: string, handler: string): ServiceFunction {
  const functionKey = handler.replace(/-(\w)/g, (_dash, letter: string) => letter.toUpperCase());
  return {
    file: `services/${service}/src/handlers/${handler}.ts`,
    functionName: `${service}-local-${functionKey}`,
  };
}

export const authorizeFunction = serviceFunction('charge-authorization', 'authorize');

/** A handler called as Lambda calls it, with a fresh context per call. */
export type Invoke<Result = unknown> = (event: unknown) => Promise<Result>;

// Here hundreds of invocations share one event loop and one socket pool, so each gets Lambda's longest timeout:
// a shorter deadline would make middy time out calls that separate Lambda instances would finish.
const lambdaMaxTimeoutMs = 15 * 60_000;

/** What the IoT rule adds to a device payload (`topic(2) AS chargerId, clientid() AS clientId, timestamp()`). */
export function ruleFields(chargerId: string) {
  return { chargerId, clientId: chargerId, receivedAt: Date.now() };
}

/** An auth/request as the authorize function receives it from the rule. */
export function authRequestEvent(input: { chargerId: string; connectorId: number; idTag: string }) {
  return {
    requestId: randomUUID(),
    connectorId: input.connectorId,
    idTag: input.idTag,
    at: new Date().toISOString(),
    ...ruleFields(input.chargerId),
  };
}

export interface HandlerHarness {
  table: TestTable;
  /** Records what the handlers send to SQS (dead letters), the IoT data plane and SNS. */
  aws: RecordingAws;
  load: <Result = unknown>(fn: ServiceFunction) => Promise<Invoke<Result>>;
  close: () => Promise<void>;
}

/**
 * A table of its own on DynamoDB Local, the recording AWS endpoints, and the env every handler reads, set
 * before any handler module loads (they create their clients at module scope).
 */
export async function startHandlerHarness(label: string): Promise<HandlerHarness> {
  const table = await createTestTable(label);
  const aws = await startRecordingAws();
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DEAD_LETTER_QUEUE_URL: `${aws.endpoint}/000000000000/${label}-dead-letters`,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: aws.endpoint,
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TARIFF_PRICE_PER_KWH_MINOR: '350',
    TARIFF_CURRENCY: 'KRW',
    CONNECTION_TIMEOUT_S: '120',
  });
  return {
    table,
    aws,
    load: async <Result>(fn: ServiceFunction) => {
      const { handler } = (await import(join(repoRoot, fn.file))) as {
        handler: (event: unknown, context: Context) => Promise<Result>;
      };
      return (event: unknown) =>
        handler(
          event,
          createLambdaContext(fn.functionName, { getRemainingTimeInMillis: () => lambdaMaxTimeoutMs }),
        );
    },
    close: async () => {
      await aws.close();
      await table.drop();
    },
  };
}

/** The local cloud on free ports, on the jest run's DynamoDB Local (unless told otherwise), quiet. */
export function startTestCloud(
  label: string,
  options: Omit<LocalCloudOptions, 'ports' | 'tableName' | 'quiet'> = {},
): Promise<LocalCloud> {
  return startLocalCloud({
    dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    ...options,
    ports: { mqtt: 0, aws: 0, http: 0 },
    tableName: `${label}-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
}

export interface CloudWithCharger {
  cloud: LocalCloud;
  /** Connected as the charger, with the password its registration returned. */
  client: MqttClient;
  stop: () => Promise<void>;
}

/** The local cloud with one registered charger connected over MQTT and an idTag it can charge with. */
export async function startCloudWithCharger(input: {
  label: string;
  chargerId: string;
  connectorCount: number;
  idTag: AddIdTagInput;
  cloud: Omit<LocalCloudOptions, 'ports' | 'tableName' | 'quiet'>;
}): Promise<CloudWithCharger> {
  const cloud = await startTestCloud(input.label, input.cloud);
  try {
    const { password } = await registerChargerLocally(cloud.table, {
      chargerId: input.chargerId,
      connectorCount: input.connectorCount,
      now: new Date(),
    });
    await addIdTag(cloud.table, input.idTag);
    const client = await mqtt.connectAsync(cloud.endpoints.mqttUrl, {
      clientId: input.chargerId,
      username: input.chargerId,
      password,
      reconnectPeriod: 0,
    });
    return {
      cloud,
      client,
      stop: async () => {
        await client.endAsync();
        await cloud.stop();
      },
    };
  } catch (error) {
    await cloud.stop();
    throw error;
  }
}
