import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { sleep } from './stats.js';

// The pipeline's broker baseline, measured in the same run: what aedes alone can do (DynamoDB's is heartbeat-replay.ts).

export interface LoopBounds {
  durationMs: number;
  maxCount: number;
  /** Messages or requests in flight at most. */
  window: number;
}

/** Raw aedes publish → subscribe: QoS 1 publishes from `publishers` clients to one subscriber on `#`. */
export async function rawBrokerRate(bounds: LoopBounds, publishers = 8): Promise<number> {
  const broker = await Aedes.createBroker({ maxClientsIdLength: 128 });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const clients: MqttClient[] = [];
  try {
    const subscriber = await connectAsync(url, {
      clientId: 'raw-sub',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(subscriber);
    await subscriber.subscribeAsync('chargers/+/heartbeat', { qos: 1 });
    let received = 0;
    subscriber.on('message', () => {
      received++;
    });
    for (let index = 0; index < publishers; index++) {
      clients.push(
        await connectAsync(url, { clientId: `raw-pub-${index}`, protocolVersion: 4, reconnectPeriod: 0 }),
      );
    }
    const payload = JSON.stringify({ at: new Date().toISOString(), firmware: 'bench/1.0' });
    let published = 0;
    const started = performance.now();
    while (performance.now() - started < bounds.durationMs && published < bounds.maxCount) {
      if (published - received >= bounds.window) {
        await sleep(0);
        continue;
      }
      const client = clients[1 + (published % publishers)]!;
      client.publish(`chargers/RAW-${published % publishers}/heartbeat`, payload, { qos: 1 });
      published++;
      if (published % 64 === 0) await sleep(0);
    }
    const elapsedS = (performance.now() - started) / 1000;
    return received / elapsedS;
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    server.close();
  }
}
