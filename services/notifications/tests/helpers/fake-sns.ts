import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

// A tiny SNS endpoint speaking the AWS query protocol, enough for Publish: the real SNS client talks to it.

export interface PublishedMessage {
  topicArn: string;
  message: Record<string, unknown>;
  attributes: Record<string, { dataType: string; stringValue: string }>;
}

export interface FakeSns {
  endpoint: string;
  published: PublishedMessage[];
  /** Publish attempts, failed ones included. */
  attempts: number;
  /** While it returns true for a message, Publish answers 500 InternalError (every SDK retry too). */
  failWhen: (message: Record<string, unknown>) => boolean;
  close: () => Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function attributesOf(form: URLSearchParams): PublishedMessage['attributes'] {
  const attributes: PublishedMessage['attributes'] = {};
  for (let entry = 1; form.has(`MessageAttributes.entry.${entry}.Name`); entry++) {
    const prefix = `MessageAttributes.entry.${entry}`;
    attributes[form.get(`${prefix}.Name`) ?? ''] = {
      dataType: form.get(`${prefix}.Value.DataType`) ?? '',
      stringValue: form.get(`${prefix}.Value.StringValue`) ?? '',
    };
  }
  return attributes;
}

export async function startFakeSns(): Promise<FakeSns> {
  const fake: Omit<FakeSns, 'endpoint' | 'close'> = { published: [], attempts: 0, failWhen: () => false };
  const server = createServer(async (request, response) => {
    const form = new URLSearchParams(await bodyOf(request));
    response.setHeader('content-type', 'text/xml');
    if (form.get('Action') !== 'Publish') {
      response.statusCode = 400;
      response.end(errorXml('Sender', 'InvalidAction', `unsupported ${form.get('Action')}`));
      return;
    }
    fake.attempts++;
    const message = JSON.parse(form.get('Message') ?? '{}') as Record<string, unknown>;
    if (fake.failWhen(message)) {
      response.statusCode = 500;
      response.end(errorXml('Receiver', 'InternalError', 'injected failure'));
      return;
    }
    fake.published.push({ topicArn: form.get('TopicArn') ?? '', message, attributes: attributesOf(form) });
    response.end(
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
        `<PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function errorXml(type: string, code: string, message: string): string {
  return (
    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
    `<Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}
