import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { deployedLogLevel } from './deploy-config.js';

// A tiny 127.0.0.1 HTTP server that answers the IoT data plane, SNS and SQS calls a handler makes with a
// valid success response, so groups 1 and 2 measure our code and DynamoDB Local, not a missing endpoint.

export interface StubEndpoints {
  url: string;
  /** Requests answered, by protocol. */
  counts: { iotPublish: number; snsPublish: number; sqsSend: number; other: number };
  close: () => Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStubEndpoints(): Promise<StubEndpoints> {
  const counts = { iotPublish: 0, snsPublish: 0, sqsSend: 0, other: 0 };
  const server: Server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.url?.startsWith('/topics/')) {
      counts.iotPublish++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (target.startsWith('AmazonSQS.')) {
      counts.sqsSend++;
      const { MessageBody = '' } = JSON.parse(body || '{}') as { MessageBody?: string };
      const md5 = createHash('md5').update(MessageBody).digest('hex');
      response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
    } else if (body.includes('Action=Publish')) {
      counts.snsPublish++;
      response
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
    } else {
      counts.other++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment every function gets (serverless.common.yml + per-function), pointed at local endpoints. */
export function functionEnvironment(input: {
  dynamodbEndpoint: string;
  stubUrl: string;
  tableName: string;
}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamodbEndpoint,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: input.stubUrl,
    AWS_ENDPOINT_URL_SNS: input.stubUrl,
    AWS_ENDPOINT_URL_SQS: input.stubUrl,
    TABLE_NAME: input.tableName,
    // The deploy's level: a cold start writes the log lines it writes on AWS, and the cost group prices them.
    POWERTOOLS_LOG_LEVEL: deployedLogLevel(),
    DEAD_LETTER_QUEUE_URL: `${input.stubUrl}/000000000000/bench-dead-letters`,
    NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-local',
    TARIFF_PRICE_PER_KWH_MINOR: '350',
    TARIFF_CURRENCY: 'KRW',
    CONNECTION_TIMEOUT_S: '120',
    METER_REQUEST_TIMEOUT_S: '30',
    LIVENESS_GRACE_S: '60',
  };
}
