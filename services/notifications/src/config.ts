import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { requiredEnv } from '@evcharge/middleware';

// Environment → typed config, read once at module scope (no network at import).

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

export const topicArn = requiredEnv('NOTIFICATIONS_TOPIC_ARN');
