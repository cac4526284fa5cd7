import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import tableDefinition from './table-definition.json' with { type: 'json' };

/**
 * The single table, defined once in table-definition.json. The storage service's CloudFormation
 * references the same file, and local/test tables are created from it here.
 */
export { tableDefinition };

/** CloudFormation-style properties → a CreateTable input (CFN-only settings are applied separately or ignored locally). */
export function createTableInput(tableName: string, definition = tableDefinition): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: definition.BillingMode as 'PAY_PER_REQUEST',
    AttributeDefinitions: definition.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: definition.KeySchema as CreateTableCommandInput['KeySchema'],
    GlobalSecondaryIndexes:
      definition.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
    StreamSpecification: {
      StreamEnabled: true,
      StreamViewType: definition.StreamSpecification.StreamViewType as 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Creates the table (idempotently) and waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 },
    { TableName: tableName },
  );
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: tableDefinition.TimeToLiveSpecification,
      }),
    )
    .catch(() => undefined); // Already enabled on a re-run: TTL is not essential locally.
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
}
