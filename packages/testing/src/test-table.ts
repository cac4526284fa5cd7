import { randomUUID } from 'node:crypto';
import {
  createDocumentClient,
  createDynamoDbClient,
  deleteTable,
  ensureTable,
  type TableContext,
} from '@evcharge/dynamo';

export interface TestTable extends TableContext {
  drop: () => Promise<void>;
}

/**
 * A fresh table on the DynamoDB Local that jest's globalSetup started (AWS_ENDPOINT_URL_DYNAMODB).
 * One table per test file, so files run in parallel without seeing each other's items.
 */
export async function createTestTable(label = 'test'): Promise<TestTable> {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error('AWS_ENDPOINT_URL_DYNAMODB is not set: run tests through `npm test` (jest globalSetup)');
  }
  const tableName = `${label}-${randomUUID().slice(0, 8)}`;
  const admin = createDynamoDbClient();
  await ensureTable(admin, tableName);
  const client = createDocumentClient();
  return {
    client,
    tableName,
    drop: async () => {
      await deleteTable(admin, tableName);
      admin.destroy();
      client.destroy();
    },
  };
}
