import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { WorkQueues } from '../queues/work-queues.js';
import type { LocalObjectStore } from '../s3/object-store.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { NotificationStore } from '../state/notifications.js';
import { handleCloudFormationQuery, type LocalCloudFormation } from './cloudformation.js';
import { readBody, sendJson } from './http-util.js';
import { handleS3, isS3Request } from './s3.js';
import { handleSnsQuery } from './sns.js';
import { handleSqsJson } from './sqs.js';

export interface AwsServerOptions {
  port: number;
  notifications: NotificationStore;
  deadLetters: DeadLetterStore;
  /** The queues `sqs` events consume. */
  workQueues?: WorkQueues;
  topicArns: Set<string>;
  /** IoT data plane Publish: reaches the broker. */
  publishToBroker: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void>;
  /** Lambda Invoke by deployed name; `undefined` when no such function (for `pnpm redrive`). */
  invokeFunction?: (
    functionName: string,
    payload: unknown,
    isAsync: boolean,
  ) => Promise<LocalInvokeOutcome | undefined>;
  /** Deployed function name → local `<service>.<fn>` id (for dead letters the functions send themselves). */
  functionIdFor?: (functionName: string) => string | undefined;
  /** Exports and stack resources, for `sls invoke local`'s CloudFormation lookups. */
  cloudFormation: LocalCloudFormation;
  /** Recent broker messages for GET /_local/messages?topic=<filter>. */
  messages: (filter?: string) => unknown;
  /** Extra inspection data for GET /_local/stats. */
  stats: () => unknown;
  /** The local S3 (path-style), once the buckets are known. */
  objectStore?: () => LocalObjectStore | undefined;
}

export type LocalInvokeOutcome =
  | { ok: true; result: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string } };

export interface AwsServer {
  port: number;
  endpoint: string;
  close: () => Promise<void>;
}

/** One port for the AWS APIs the services call (IoT data plane, SNS, SQS) and the inspection endpoints. */
export async function startAwsServer(options: AwsServerOptions): Promise<AwsServer> {
  let endpoint = '';
  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => sendJson(response, 500, { message: String(error) }));
  });

  // Lambda Invoke (REST): RequestResponse answers with the result or X-Amz-Function-Error; Event answers 202.
  async function handleInvoke(
    nameOrArn: string,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const functionName = /:function:([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn;
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8') || 'null');
    } catch {
      return sendJson(
        response,
        400,
        { Type: 'User', message: 'Could not parse request body into json' },
        {
          'x-amzn-errortype': 'InvalidRequestContentException',
        },
      );
    }
    const isAsync = request.headers['x-amz-invocation-type'] === 'Event';
    const outcome = await options.invokeFunction?.(functionName, payload, isAsync);
    if (!outcome) {
      return sendJson(
        response,
        404,
        { Type: 'User', message: `Function not found: ${functionName}` },
        {
          'x-amzn-errortype': 'ResourceNotFoundException',
        },
      );
    }
    if (isAsync) {
      response.writeHead(202);
      response.end();
      return;
    }
    if (outcome.ok) return sendJson(response, 200, outcome.result ?? null);
    sendJson(response, 200, outcome.error, { 'x-amz-function-error': 'Unhandled' });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    if (request.method === 'GET' && url.pathname === '/_local/notifications')
      return sendJson(response, 200, options.notifications.list());
    if (request.method === 'GET' && url.pathname === '/_local/dead-letters')
      return sendJson(response, 200, options.deadLetters.list());
    if (request.method === 'GET' && url.pathname === '/_local/messages')
      return sendJson(response, 200, options.messages(url.searchParams.get('topic') ?? undefined));
    if (request.method === 'GET' && url.pathname === '/_local/stats')
      return sendJson(response, 200, options.stats());
    const body = await readBody(request);
    const objectStore = options.objectStore?.();
    if (objectStore && isS3Request(request, url, objectStore))
      return handleS3(request, url, body, response, objectStore);
    if (request.method === 'POST' && url.pathname.startsWith('/topics/')) {
      const topic = decodeURIComponent(url.pathname.slice('/topics/'.length));
      const qos = url.searchParams.get('qos') === '1' ? 1 : 0;
      await options.publishToBroker(topic, body, qos);
      return sendJson(response, 200, {});
    }
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (request.method === 'POST' && invocation?.[1]) {
      return handleInvoke(decodeURIComponent(invocation[1]), request, body, response);
    }
    const target = request.headers['x-amz-target'];
    if (request.method === 'POST' && typeof target === 'string' && target.startsWith('AmazonSQS.')) {
      return handleSqsJson(
        target.slice('AmazonSQS.'.length),
        JSON.parse(body.toString('utf8') || '{}'),
        response,
        options.deadLetters,
        endpoint,
        options.functionIdFor,
        options.workQueues,
      );
    }
    if (
      request.method === 'POST' &&
      String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')
    ) {
      const form = new URLSearchParams(body.toString('utf8'));
      // Query-protocol services share the port: the Version tells SNS (2010-03-31) from CloudFormation (2010-05-15).
      if (form.get('Version') === '2010-05-15')
        return handleCloudFormationQuery(form, response, options.cloudFormation);
      return handleSnsQuery(form, response, options.notifications, options.topicArns);
    }
    sendJson(response, 404, {
      message: `local AWS endpoint: no route for ${request.method} ${url.pathname}`,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
