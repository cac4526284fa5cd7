import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPublish {
  topic: string;
  qos: number;
  payload: unknown;
}

export interface IotDataPlaneRecorder {
  endpoint: string;
  publishes: RecordedPublish[];
  /** Answers every publish with this HTTP status instead of 200 until cleared (undefined). */
  failWith: number | undefined;
  /** Called with each recorded publish (e.g. to play the charger that answers it). */
  onPublish: ((publish: RecordedPublish) => void) | undefined;
  publishesTo: (topic: string) => RecordedPublish[];
  close: () => Promise<void>;
}

/**
 * A tiny stand-in for the IoT data plane's REST Publish (`POST /topics/{topic}?qos=1`) on a free port,
 * recording what the real SDK client sends, so a test asserts the payload a charger would receive.
 */
export async function startIotDataPlaneRecorder(): Promise<IotDataPlaneRecorder> {
  const recorder: IotDataPlaneRecorder = {
    endpoint: '',
    publishes: [],
    failWith: undefined,
    onPublish: undefined,
    publishesTo: (topic) => recorder.publishes.filter((publish) => publish.topic === topic),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://recorder');
      if (recorder.failWith !== undefined) {
        response.writeHead(recorder.failWith, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'injected failure' }));
        return;
      }
      if (request.method !== 'POST' || !url.pathname.startsWith('/topics/')) {
        response.writeHead(404).end();
        return;
      }
      const publish = {
        topic: decodeURIComponent(url.pathname.slice('/topics/'.length)),
        qos: Number(url.searchParams.get('qos') ?? 0),
        payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      recorder.publishes.push(publish);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      recorder.onPublish?.(publish);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return recorder;
}
