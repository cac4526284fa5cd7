// One DynamoDB Local for the whole jest run; workers inherit the endpoint through the environment.
// Plain JS: jest loads globalSetup outside its ESM transform, so the TypeScript launcher comes through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  if (process.env.AWS_ENDPOINT_URL_DYNAMODB) return;
  const { startDynamoDbLocal } = await tsImport('../../src/local/dynamodb-local-server.ts', import.meta.url);
  const server = await startDynamoDbLocal();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
  globalThis.__dynamoDbLocal__ = server;
}
