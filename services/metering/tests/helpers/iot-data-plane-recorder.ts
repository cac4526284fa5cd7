import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPublish {
  topic: string;
  qos: string | null;
  payload: unknown;
}

export interface IotDataPlaneRecorder {
  endpoint: string;
  published: RecordedPublish[];
  close: () => Promise<void>;
}

/** A tiny stand-in for the IoT data plane: records `POST /topics/{topic}` on a free port. */
export async function startIotDataPlaneRecorder(): Promise<IotDataPlaneRecorder> {
  const published: RecordedPublish[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method === 'POST' && url.pathname.startsWith('/topics/')) {
        published.push({
          topic: decodeURIComponent(url.pathname.slice('/topics/'.length)),
          qos: url.searchParams.get('qos'),
          payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
