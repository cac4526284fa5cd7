import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBody, sendJson } from '../aws/http-util.js';
import type { LocalFunction, StaticSiteConfig } from '../config/model.js';
import type { InvocationOutcome } from '../lambda/function-worker.js';
import { compileRoute, matchRoute, type Route } from './routes.js';
import { serveStaticSite } from './static-site.js';

export interface HttpApiOptions {
  port: number;
  functions: LocalFunction[];
  invoke: (functionId: string, event: unknown) => Promise<InvocationOutcome>;
  /** Verifies a bearer token and returns its claims; throws when invalid. */
  verifyToken: (token: string) => Promise<Record<string, unknown>>;
  onRequest?: () => void;
  /** Built web apps served under their path when no route matches (S3 + CloudFront on AWS). */
  staticSites?: StaticSiteConfig[];
}

export interface HttpApiServer {
  port: number;
  url: string;
  close: () => Promise<void>;
}

/** API Gateway HTTP API stand-in: payload format 2.0, path parameters, JWT authorizer claims. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiServer> {
  const routes: Route[] = options.functions.flatMap((fn) =>
    fn.httpRoutes.map((route) => compileRoute(fn.id, route)),
  );
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendJson(response, 500, { message: String(error) }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    options.onRequest?.();
    const url = new URL(request.url ?? '/', 'http://local');
    const method = (request.method ?? 'GET').toUpperCase();
    const matched = matchRoute(routes, method, url.pathname);
    if (!matched) {
      if (await serveStaticSite(options.staticSites ?? [], method, url.pathname, response)) return;
      return sendJson(response, 404, { message: 'Not Found' });
    }
    let claims: Record<string, unknown> | undefined;
    if (matched.route.config.jwtAuthorizer) {
      const header = request.headers.authorization ?? '';
      const token = header.replace(/^Bearer\s+/i, '');
      if (!token) return sendJson(response, 401, { message: 'Unauthorized' });
      try {
        claims = await options.verifyToken(token);
      } catch {
        return sendJson(response, 401, { message: 'Unauthorized' });
      }
    }
    const body = await readBody(request);
    const event = buildEvent(request, url, method, matched.route, matched.pathParameters, body, claims);
    const outcome = await options.invoke(matched.route.functionId, event);
    if (!outcome.ok) return sendJson(response, 500, { message: 'Internal Server Error' });
    writeResult(response, outcome.result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function buildEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  route: Route,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, unknown> | undefined,
) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const cookies = request.headers.cookie?.split(/;\s*/);
  const now = new Date();
  const text = body.toString('utf8');
  const isText = /json|text|xml|urlencoded/.test(headers['content-type'] ?? 'application/json');
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      ...(claims
        ? {
            authorizer: {
              jwt: {
                claims: Object.fromEntries(
                  Object.entries(claims).map(([key, value]) => [key, claimString(value)]),
                ),
                scopes: null,
              },
            },
          }
        : {}),
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? text : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

// API Gateway passes every claim as a string; an array claim (cognito:groups) as `[a b]`.
function claimString(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(String).join(' ')}]` : String(value);
}

// Payload 2.0 response: a {statusCode,...} object is used as is; anything else is a 200 JSON body.
function writeResult(response: ServerResponse, result: unknown): void {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const shaped = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const body =
      shaped.body === undefined
        ? ''
        : shaped.isBase64Encoded
          ? Buffer.from(shaped.body, 'base64')
          : shaped.body;
    response.writeHead(shaped.statusCode, {
      ...(shaped.headers ?? {}),
      ...(shaped.cookies ? { 'set-cookie': shaped.cookies } : {}),
    });
    response.end(body);
    return;
  }
  sendJson(response, 200, result ?? null);
}
