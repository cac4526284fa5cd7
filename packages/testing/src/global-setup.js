// Once per jest run: one DynamoDB Local, and every function's configured timeout; workers inherit both through
// the environment. Plain JS: jest loads globalSetup outside its ESM transform, so TypeScript comes through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const timeouts = tsImport('@evcharge/local-cloud/config', import.meta.url).then(
    async ({ configuredTimeouts }) => {
      process.env.TEST_FUNCTION_TIMEOUTS ??= JSON.stringify(await configuredTimeouts());
    },
  );
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    const { startDynamoDbLocal } = await tsImport('@evcharge/local-cloud/dynamodb-local', import.meta.url);
    const server = await startDynamoDbLocal();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
    globalThis.__dynamoDbLocal__ = server;
  }
  await timeouts;
}
