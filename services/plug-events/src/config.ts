import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { requiredEnv } from '@evcharge/middleware';

// Module scope: one client per cold start, no network at import.
export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };
