import { createDocumentClient, type TableContext } from '@evcharge/dynamo';

// Environment → typed config, read once at module scope (no network at import).

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

export const topicArn = requiredEnv('NOTIFICATIONS_TOPIC_ARN');
