import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

// The gateway group's simulated chargers, in a process of their own (bench/src/gateway.ts forks it): plain
// WebSockets speaking OCPP-J 1.6 frames written from the specification (no OCPP library, so the charger side
// stays light), HTTP Basic credentials, heartbeats at the configured interval with their start times spread,
// and StartTransaction round trips on request. Driven over the IPC channel.

export type FleetCommand =
  | {
      type: 'connect';
      baseUrl: string;
      chargers: { id: string; password: string }[];
      /** Handshakes in flight at once. */
      concurrency: number;
      heartbeatIntervalMs: number;
    }
  | { type: 'heartbeats'; sinceMs: number }
  | { type: 'startTransactions'; count: number; idTag: string; spacingMs: number }
  | { type: 'close' };

export type FleetReport =
  | { type: 'connected'; connected: number; failed: number; rampMs: number; firstError?: string }
  | { type: 'heartbeats'; rttMs: number[]; errors: number; open: number }
  | { type: 'startTransactions'; rttMs: number[]; errors: string[] }
  | { type: 'closed' };

interface Charger {
  id: string;
  socket: WebSocket;
  waiting: Map<string, { sentAt: number; resolve: (frame: unknown[]) => void }>;
}

const chargers: Charger[] = [];
const heartbeatRtts: { sentAt: number; ms: number }[] = [];
let heartbeatErrors = 0;
const timers: NodeJS.Timeout[] = [];

const send = (report: FleetReport) => process.send?.(report);

function call(charger: Charger, action: string, payload: object): Promise<{ ms: number; frame: unknown[] }> {
  const uniqueId = randomUUID();
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      charger.waiting.delete(uniqueId);
      reject(new Error(`${action}: no answer in 30 s`));
    }, 30_000);
    charger.waiting.set(uniqueId, {
      sentAt,
      resolve: (frame) => {
        clearTimeout(timer);
        resolve({ ms: performance.now() - sentAt, frame });
      },
    });
    charger.socket.send(JSON.stringify([2, uniqueId, action, payload]));
  });
}

function open(baseUrl: string, id: string, password: string): Promise<Charger> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl}/${id}`, ['ocpp1.6'], {
      headers: { authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` },
      handshakeTimeout: 60_000,
    });
    const charger: Charger = { id, socket, waiting: new Map() };
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      if (frame[0] === 2) {
        // The gateway's own CALLs (none expected here): accepted.
        socket.send(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
        return;
      }
      const waiter = charger.waiting.get(String(frame[1]));
      if (!waiter) return;
      charger.waiting.delete(String(frame[1]));
      waiter.resolve(frame);
    });
    socket.once('open', () => resolve(charger));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`${id}: HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

function startHeartbeats(charger: Charger, intervalMs: number): void {
  const beat = () => {
    if (charger.socket.readyState !== WebSocket.OPEN) return;
    const sentAt = Date.now();
    call(charger, 'Heartbeat', {}).then(
      ({ ms, frame }) => {
        if (frame[0] === 3) heartbeatRtts.push({ sentAt, ms });
        else heartbeatErrors++;
      },
      () => heartbeatErrors++,
    );
  };
  // Start times spread over one interval, as a fleet that booted at different times.
  const first = setTimeout(() => {
    beat();
    timers.push(setInterval(beat, intervalMs));
  }, Math.random() * intervalMs);
  timers.push(first);
}

async function connectAll(command: Extract<FleetCommand, { type: 'connect' }>): Promise<void> {
  const started = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < command.chargers.length) {
      const { id, password } = command.chargers[next++]!;
      try {
        const charger = await open(command.baseUrl, id, password);
        chargers.push(charger);
        startHeartbeats(charger, command.heartbeatIntervalMs);
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
  send({
    type: 'connected',
    connected: chargers.length,
    failed,
    rampMs: performance.now() - started,
    ...(firstError ? { firstError } : {}),
  });
}

async function startTransactions(command: Extract<FleetCommand, { type: 'startTransactions' }>) {
  const rttMs: number[] = [];
  const errors: string[] = [];
  const pending: Promise<void>[] = [];
  for (let index = 0; index < command.count; index++) {
    const charger = chargers[index % chargers.length];
    if (!charger) break;
    pending.push(
      call(charger, 'StartTransaction', {
        connectorId: 1,
        idTag: command.idTag,
        meterStart: 1_000 * index,
        timestamp: new Date().toISOString(),
      }).then(
        ({ ms, frame }) => {
          if (frame[0] === 3) rttMs.push(ms);
          else errors.push(String(frame[2]));
        },
        (error: Error) => void errors.push(error.message),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, command.spacingMs));
  }
  await Promise.all(pending);
  send({ type: 'startTransactions', rttMs, errors });
}

process.on('message', (command: FleetCommand) => {
  switch (command.type) {
    case 'connect':
      void connectAll(command);
      return;
    case 'heartbeats':
      send({
        type: 'heartbeats',
        rttMs: heartbeatRtts.filter((sample) => sample.sentAt >= command.sinceMs).map((sample) => sample.ms),
        errors: heartbeatErrors,
        open: chargers.filter((charger) => charger.socket.readyState === WebSocket.OPEN).length,
      });
      return;
    case 'startTransactions':
      void startTransactions(command);
      return;
    case 'close':
      for (const timer of timers) clearTimeout(timer);
      for (const charger of chargers) charger.socket.terminate();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 100);
  }
});
