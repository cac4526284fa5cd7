import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '@evcharge/dynamo';

/** Creates the local table from the storage service's CloudFormation Properties (the one definition). */
export async function createLocalTable(
  admin: DynamoDBClient,
  tableName: string,
  properties: Record<string, unknown>,
): Promise<void> {
  // The storage service's CloudFormation Properties are the one definition; createTableInput maps them.
  const input: CreateTableCommandInput = createTableInput(
    tableName,
    properties as Parameters<typeof createTableInput>[1],
  );
  try {
    await admin.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists(
    { client: admin, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 },
    { TableName: tableName },
  );
  const ttl = properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  if (ttl?.Enabled) {
    await admin
      .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: ttl }))
      .catch(() => undefined); // already enabled when the table is reused
  }
}

/** Fails with a clear message when a port is taken (another DynamoDB Local would answer our readiness probe). */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new Error(`port ${port} for ${what} is already in use`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
