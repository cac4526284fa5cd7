import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';

// The SQS side of the dead-letter sink, imported dynamically: the shipped bundles split it (and the SQS client) into
// a chunk that only a function's first dead letter loads.

let client: SQSClient | undefined;

/** One SendMessage; the client is created once per cold start, its endpoint from AWS_ENDPOINT_URL_SQS locally. */
export async function sendMessage(input: SendMessageCommandInput): Promise<void> {
  client ??= new SQSClient({});
  await client.send(new SendMessageCommand(input));
}
