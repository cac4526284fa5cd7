import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A tiny SQS endpoint (AWS JSON 1.0 protocol) that keeps what SendMessage sends: the dead-letter sink's target.

export interface FakeSqs {
  endpoint: string;
  sent: { queueUrl: string; body: Record<string, unknown> }[];
  close: () => Promise<void>;
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const sent: FakeSqs['sent'] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      QueueUrl: string;
      MessageBody: string;
    };
    response.setHeader('content-type', 'application/x-amz-json-1.0');
    if (request.headers['x-amz-target'] !== 'AmazonSQS.SendMessage') {
      response.statusCode = 400;
      response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: 'unsupported' }));
      return;
    }
    sent.push({ queueUrl: input.QueueUrl, body: JSON.parse(input.MessageBody) as Record<string, unknown> });
    response.end(
      JSON.stringify({
        MessageId: randomUUID(),
        MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex'),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
