import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';

// The SQS side of the dead-letter sink, imported by it on the first dead letter only. A dynamic import of this
// file rather than of the SDK package, so esbuild keeps SendMessage alone (a namespace import keeps every command).

let client: SQSClient | undefined;

/** One SendMessage; the client is created once per cold start, its endpoint from AWS_ENDPOINT_URL_SQS locally. */
export async function sendMessage(input: SendMessageCommandInput): Promise<void> {
  client ??= new SQSClient({});
  await client.send(new SendMessageCommand(input));
}
