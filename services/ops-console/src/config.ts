import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { optionalEnv, requiredEnv } from '@evcharge/middleware';

// Environment → typed config, read once per cold start. No network at import.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** The deployment stage: names each service's dead-letter queue (`<service>-<stage>-dead-letters`). */
export const stage = optionalEnv('STAGE') ?? 'local';

/** The services whose dead-letter queues the console lists and redrives (comma-separated). */
export const deadLetterServices = (optionalEnv('DEAD_LETTER_SERVICES') ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0);
