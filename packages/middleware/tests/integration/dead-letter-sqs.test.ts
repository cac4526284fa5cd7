import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetter, sqsDeadLetterSink } from '../../src/index.js';

// A tiny SQS endpoint speaking the JSON protocol, so the real SDK client is exercised end to end.
interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

// The SDK sends to the QueueUrl's host (useQueueUrlAsEndpoint), so the local queue URL names the local endpoint,
// as the local cloud's DEAD_LETTER_QUEUE_URL does.
let queueUrl: string;
const received: ReceivedRequest[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ headers: request.headers, body });
      const messageBody = String(body.MessageBody);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          MessageId: '5fea7756-0ea4-451a-a703-a558b933e274',
          MD5OfMessageBody: createHash('md5').update(messageBody).digest('hex'),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SQS = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  queueUrl = `${process.env.AWS_ENDPOINT_URL_SQS}/000000000000/heartbeat-dlq`;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('sqsDeadLetterSink', () => {
  it('is absent without a queue URL, so bad input is only logged', () => {
    expect(sqsDeadLetterSink('')).toBeUndefined();
  });

  it('sends the dead letter as the message body with errorClass and functionName attributes', async () => {
    const letter: DeadLetter = {
      functionName: 'heartbeat-local-record',
      errorClass: 'spoof',
      field: 'clientId',
      reason: 'client "CP-2" published on the topic of charger "CP-1"',
      payload: { at: '2026-11-25T06:30:00.000Z', chargerId: 'CP-1', clientId: 'CP-2', note: '충전기 ✓' },
      attempts: 1,
      firstFailureAt: '2026-11-25T06:31:00.000Z',
      lastFailureAt: '2026-11-25T06:31:00.000Z',
    };
    const sink = sqsDeadLetterSink(queueUrl);
    expect(sink).toBeDefined();
    await sink!(letter);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(request!.body.QueueUrl).toBe(queueUrl);
    expect(JSON.parse(String(request!.body.MessageBody))).toStrictEqual(letter);
    expect(request!.body.MessageAttributes).toEqual({
      errorClass: { DataType: 'String', StringValue: 'spoof' },
      functionName: { DataType: 'String', StringValue: 'heartbeat-local-record' },
    });
  });
});
