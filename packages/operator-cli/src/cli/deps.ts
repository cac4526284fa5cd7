import { IoTClient } from '@aws-sdk/client-iot';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { UsageError } from './args.js';
import { type CommandIo, processIo } from './run.js';

export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
export const LOCAL_TABLE_NAME = 'ev-charging-local';
export const LOCAL_MQTT_URL = 'mqtt://127.0.0.1:1883';

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
  };
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
      return `hint: nothing answers at ${where}. Start the local cloud first (\`pnpm start\`), or set AWS_ENDPOINT_URL_DYNAMODB.`;
    }
    if (name === 'ResourceNotFoundException') {
      return `hint: table ${resolved.tableName} does not exist at ${where}. Set TABLE_NAME or --table.`;
    }
    return undefined;
  };
}
