import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedSqsMessage {
  queueUrl: string;
  body: unknown;
  delaySeconds: number | undefined;
  receivedAt: number;
}

export interface SqsRecorder {
  endpoint: string;
  queueUrl: (queueName: string) => string;
  sent: RecordedSqsMessage[];
  /** Runs before each SendMessage is answered (e.g. to look at the table at that moment). */
  onSend: ((message: RecordedSqsMessage) => Promise<void>) | undefined;
  close: () => Promise<void>;
}

/** A tiny stand-in for SQS (JSON protocol): records `AmazonSQS.SendMessage` on a free port. */
export async function startSqsRecorder(): Promise<SqsRecorder> {
  const recorder: Omit<SqsRecorder, 'endpoint' | 'queueUrl' | 'close'> = { sent: [], onSend: undefined };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (request.headers['x-amz-target'] !== 'AmazonSQS.SendMessage') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
        return;
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        QueueUrl: string;
        MessageBody: string;
        DelaySeconds?: number;
      };
      const message: RecordedSqsMessage = {
        queueUrl: input.QueueUrl,
        body: JSON.parse(input.MessageBody),
        delaySeconds: input.DelaySeconds,
        receivedAt: Date.now(),
      };
      recorder.sent.push(message);
      await recorder.onSend?.(message);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
        JSON.stringify({
          MessageId: `m-${recorder.sent.length}`,
          MD5OfMessageBody: createHash('md5').update(input.MessageBody, 'utf8').digest('hex'),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return Object.assign(recorder, {
    endpoint,
    queueUrl: (queueName: string) => `${endpoint}/000000000000/${queueName}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}
