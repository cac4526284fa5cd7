import type { AddressInfo } from 'node:net';
import { createServer, Socket } from 'node:net';

export interface FaultProxy {
  url: string;
  /** While down, every connection (open or new) is reset: the endpoint is unavailable. */
  setDown: (down: boolean) => void;
  resets: () => number;
  close: () => Promise<void>;
}

/** A TCP proxy in front of an HTTP endpoint (DynamoDB Local) that can make it unavailable for a window. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let down = false;
  let resets = 0;
  const server = createServer((client) => {
    if (down) {
      resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    const forget = () => {
      open.delete(client);
      open.delete(upstream);
    };
    upstream.connect(Number(port), hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setDown: (value) => {
      down = value;
      if (value) {
        for (const socket of open) socket.resetAndDestroy();
        resets += open.size;
        open.clear();
      }
    },
    resets: () => resets,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
