import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { requiredEnv } from '@evcharge/middleware';

// Environment → typed config, read once per cold start. No network at import. What only the functions that
// open or expire sessions need is in session-config.ts, so authorize-id-tag needs no tariff.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };
