import type { AddressInfo } from 'node:net';
import { createServer, Socket } from 'node:net';

// A TCP proxy between the gateway and the broker that can cut the site off from the cloud for a window: open
// links are reset (the gateway sees them drop), and new ones are accepted but never answered (a connect that
// hangs until its own timeout), as a dead uplink looks from the site.

export interface PartitionProxy {
  url: string;
  partition(cut: boolean): void;
  close(): Promise<void>;
}

export async function startPartitionProxy(target: string): Promise<PartitionProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const held = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (cut) {
      held.add(client);
      client.once('close', () => held.delete(client));
      return;
    }
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    upstream.connect(Number(port), hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    partition(value) {
      cut = value;
      const stale = value ? open : held;
      for (const socket of stale) socket.resetAndDestroy();
      stale.clear();
    },
    async close() {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
