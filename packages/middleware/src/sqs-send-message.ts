import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';

// The SQS side of the dead-letter sink. Imported statically: esbuild, bundling without code splitting, kept every
// SQS command behind a dynamic import (about 14 kB a bundle); the client itself is still made on the first dead letter.

let client: SQSClient | undefined;

/** One SendMessage; the client is created once per cold start, its endpoint from AWS_ENDPOINT_URL_SQS locally. */
export async function sendMessage(input: SendMessageCommandInput): Promise<void> {
  client ??= new SQSClient({});
  await client.send(new SendMessageCommand(input));
}
