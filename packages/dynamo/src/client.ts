import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientOptions {
  /** Overrides the endpoint; by default the SDK reads AWS_ENDPOINT_URL_DYNAMODB, which the local cloud sets. */
  endpoint?: string;
}

export function createDynamoDbClient(options: DynamoDbClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // Local endpoints accept any credentials; on AWS the default provider chain is used.
    ...(options.endpoint || process.env.AWS_ENDPOINT_URL_DYNAMODB ? localCredentialsIfMissing() : {}),
  });
}

export function createDocumentClient(options: DynamoDbClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(options), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

function localCredentialsIfMissing() {
  if (process.env.AWS_ACCESS_KEY_ID) return {};
  return {
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
