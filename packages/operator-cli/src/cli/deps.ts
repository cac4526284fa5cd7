import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { UsageError } from './args.js';
import { type CommandIo, processIo } from './run.js';

export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
export const LOCAL_TABLE_NAME = 'ev-charging-local';
export const LOCAL_MQTT_URL = 'mqtt://127.0.0.1:1883';
/** The local cloud's OCPP gateway (`npm start`, `--ocpp-port`, LOCAL_CLOUD_OCPP_PORT): what a charger's configuration takes. */
export function localOcppBaseUrl(env: NodeJS.ProcessEnv): string {
  return `ws://127.0.0.1:${env.LOCAL_CLOUD_OCPP_PORT ?? '8180'}/ocpp`;
}
/** The local cloud's AWS endpoints, IoT data plane `Publish` included (`npm start`'s default port). */
export const LOCAL_IOT_DATA_ENDPOINT = 'http://127.0.0.1:4566';

export interface TableTarget {
  /** undefined on AWS: the SDK's default endpoint and credential chain. */
  endpoint: string | undefined;
  tableName: string;
}

export interface OpenTable extends TableContext {
  close: () => void;
}

/** What the commands touch outside themselves; tests pass DynamoDB Local and a mocked IoT client. */
export interface CliDeps {
  io: CommandIo;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  openTable: (target: TableTarget) => OpenTable;
  openIot: () => IoTClient;
  /** The IoT data plane (Publish to a charger); undefined endpoint: the SDK's default for the region. */
  openIotData: (endpoint: string | undefined) => IoTDataPlaneClient;
}

/** Local by default (the local cloud's DynamoDB and table); `--aws` needs the deployed table's name. */
export function resolveTableTarget(
  env: NodeJS.ProcessEnv,
  options: { aws: boolean; table: string | undefined },
): TableTarget {
  const tableName = options.table ?? env.TABLE_NAME;
  if (options.aws) {
    if (!tableName) throw new UsageError('option --table (or env TABLE_NAME) is required with --aws');
    return { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, tableName };
  }
  return {
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? LOCAL_DYNAMODB_ENDPOINT,
    tableName: tableName ?? LOCAL_TABLE_NAME,
  };
}

export function defaultCliDeps(): CliDeps {
  return {
    io: processIo,
    env: process.env,
    now: () => new Date(),
    openTable: (target) => {
      const client = createDocumentClient(target.endpoint ? { endpoint: target.endpoint } : {});
      return { client, tableName: target.tableName, close: () => client.destroy() };
    },
    openIot: () => new IoTClient({}),
    openIotData: (endpoint) =>
      new IoTDataPlaneClient({
        ...(endpoint ? { endpoint } : {}),
        // The local cloud accepts any credentials; on AWS the default provider chain is used.
        ...(endpoint && !process.env.AWS_ACCESS_KEY_ID
          ? {
              region: process.env.AWS_REGION ?? 'us-east-1',
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            }
          : {}),
      }),
  };
}

/**
 * Where commands to chargers are published: locally the local cloud's data plane (or
 * AWS_ENDPOINT_URL_IOT_DATA_PLANE, which `npm run -s local-cloud-env` exports); with `--aws` the account's
 * ATS endpoint from AWS_ENDPOINT_URL_IOT_DATA_PLANE, or else the SDK's default for the region.
 */
export function resolveIotDataEndpoint(
  env: NodeJS.ProcessEnv,
  options: { aws: boolean },
): string | undefined {
  if (options.aws) return env.AWS_ENDPOINT_URL_IOT_DATA_PLANE;
  return env.AWS_ENDPOINT_URL_IOT_DATA_PLANE ?? LOCAL_IOT_DATA_ENDPOINT;
}

/** Turns the two usual local mistakes (local cloud not running, wrong table) into an instruction. */
export function tableErrorHint(
  target: () => TableTarget | undefined,
): (error: unknown) => string | undefined {
  return (error) => {
    const resolved = target();
    if (!resolved || typeof error !== 'object' || error === null) return undefined;
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    const where = resolved.endpoint ?? 'AWS';
    if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message ?? '')) {
      return `hint: nothing answers at ${where}. Start the local cloud first (\`npm start\`), or set AWS_ENDPOINT_URL_DYNAMODB.`;
    }
    if (name === 'ResourceNotFoundException') {
      return `hint: table ${resolved.tableName} does not exist at ${where}. Set TABLE_NAME or --table.`;
    }
    return undefined;
  };
}
