import { createDocumentClient, type TableContext } from '@evcharge/dynamo';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

// Module scope: one client per cold start, no network at import.
export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };
