import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  service: 'sqs' | 'iot-data' | 'sns' | 'other';
  target: string;
  body: string;
}

export interface RecordingAws {
  endpoint: string;
  calls: RecordedCall[];
  /**
   * Dead letters the handlers sent (SQS SendMessage bodies), parsed once as they arrive: the live list, so
   * that a suite checking after each of thousands of calls does not parse every earlier letter again.
   */
  deadLetters: () => readonly Record<string, unknown>[];
  close: () => Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A tiny stand-in for the AWS endpoints the handlers call besides DynamoDB: it answers and records. */
export async function startRecordingAws(): Promise<RecordingAws> {
  const calls: RecordedCall[] = [];
  const deadLetters: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const target = String(request.headers['x-amz-target'] ?? '');
        if (target.startsWith('AmazonSQS.')) {
          calls.push({ service: 'sqs', target, body });
          const messageBody = (JSON.parse(body || '{}') as { MessageBody?: string }).MessageBody ?? '';
          if (target === 'AmazonSQS.SendMessage')
            deadLetters.push(JSON.parse(messageBody) as Record<string, unknown>);
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(
            JSON.stringify({
              MessageId: randomUUID(),
              MD5OfMessageBody: createHash('md5').update(messageBody, 'utf8').digest('hex'),
            }),
          );
          return;
        }
        if (request.url?.startsWith('/topics/')) {
          calls.push({
            service: 'iot-data',
            target: decodeURIComponent(request.url.slice(8).split('?')[0] ?? ''),
            body,
          });
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{}');
          return;
        }
        calls.push({
          service: body.includes('Action=Publish') ? 'sns' : 'other',
          target: request.url ?? '',
          body,
        });
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<PublishResponse><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult></PublishResponse>`,
        );
      })
      .catch(() => {
        response.writeHead(500);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    deadLetters: () => deadLetters,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
