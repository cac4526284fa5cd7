import { addIdTag, getConnector, registerCharger } from '@evcharge/dynamo';
import type { BenchContext } from './context.js';
import {
  authEvent,
  heartbeatEvent,
  lambdaContext,
  meterEvent,
  plugEvent,
  presenceEvent,
  sampleEvent,
  sessionCompletedStreamEvent,
} from './events.js';
import type { InProcessHandlers, Invoke } from './handlers.js';
import type { OpCounts } from './op-counter.js';
import { median, round } from './stats.js';
import type { StubEndpoints } from './stub-endpoints.js';

// Group 2: DynamoDB operations, capacity and warm duration per message type, from the real handlers
// against DynamoDB Local (ReturnConsumedCapacity=TOTAL on every call).

/** The counts are per invocation (averaged over `invocations`). */
export interface OpsRow extends OpCounts {
  message: string;
  invocations: number;
  snsPublishes: number;
  iotPublishes: number;
  /** Median warm in-process duration, ms. */
  durationMs: number;
  target?: string;
  meetsTarget?: boolean;
}

const CHARGER = 'CP-BENCH-OPS';
const ID_TAG = 'TAG-BENCH-OPS';

export async function measureDynamoOps(
  context: BenchContext,
  handlers: InProcessHandlers,
  stub: StubEndpoints,
): Promise<OpsRow[]> {
  const repeats = context.quick ? 3 : 10;
  // The simulated receive times run forward from now: a message processed over 30 s after its receive time
  // is a late retry and skips the liveness write, which would understate what a live message costs.
  const base = Date.now();
  let clock = base;
  const advance = (ms: number) => {
    clock += ms;
    return clock;
  };
  await registerCharger(context.table, {
    chargerId: CHARGER,
    connectorCount: 1,
    now: new Date(base - 60_000),
  });
  await addIdTag(context.table, { idTag: ID_TAG, userId: 'bench-user' });
  handlers.counter.take();

  const rows: OpsRow[] = [];
  const measure = async (message: string, invoke: Invoke, events: (() => unknown)[]) => {
    const durations: number[] = [];
    const sns = stub.counts.snsPublish;
    const iot = stub.counts.iotPublish;
    handlers.counter.take();
    for (const makeEvent of events) {
      const event = makeEvent();
      const started = performance.now();
      await invoke(event, lambdaContext(message));
      durations.push(performance.now() - started);
    }
    const counts: OpCounts = handlers.counter.take();
    const per = (value: number) => round(value / events.length, 2);
    rows.push({
      message,
      invocations: events.length,
      reads: per(counts.reads),
      writes: per(counts.writes),
      transactions: per(counts.transactions),
      rcu: per(counts.rcu),
      wcu: per(counts.wcu),
      refusedWrites: per(counts.refusedWrites),
      byCommand: Object.fromEntries(
        Object.entries(counts.byCommand).map(([name, count]) => [name, per(count)]),
      ),
      snsPublishes: per(stub.counts.snsPublish - sns),
      iotPublishes: per(stub.counts.iotPublish - iot),
      durationMs: round(median(durations), 2),
    });
  };
  const times = <T>(count: number, make: () => T) => Array.from({ length: count }, () => make);

  await measure('presence (connected)', handlers.presence, [() => presenceEvent(CHARGER, advance(1_000), 1)]);
  await measure('heartbeat (first: offline→online)', handlers.heartbeat, [
    () => heartbeatEvent(CHARGER, advance(1_000)),
  ]);
  await measure(
    'heartbeat',
    handlers.heartbeat,
    times(repeats, () => heartbeatEvent(CHARGER, advance(300_000))),
  );
  await measure('heartbeat (throttled, < 30 s)', handlers.heartbeat, [
    () => heartbeatEvent(CHARGER, advance(5_000)),
  ]);
  await measure(
    'meter (no session)',
    handlers.ingestReading,
    times(repeats, () => meterEvent(CHARGER, advance(900_000), 1_000)),
  );
  await measure('auth (Accepted)', handlers.authorize, [() => authEvent(CHARGER, advance(10_000), ID_TAG)]);
  const sessionId = (await getConnector(context.table, CHARGER, 1))?.activeSessionId;
  await measure('plug (plugged → Charging)', handlers.plug, [
    () => plugEvent(CHARGER, advance(10_000), 'plugged'),
  ]);
  let registerWh = 1_000;
  await measure(
    'meter (in session)',
    handlers.ingestReading,
    times(repeats, () => {
      registerWh += 500;
      return meterEvent(CHARGER, advance(60_000), registerWh, sessionId);
    }),
  );
  await measure('plug (unplugged → Completed)', handlers.plug, [
    () => plugEvent(CHARGER, advance(10_000), 'unplugged'),
  ]);
  await measure('auth (Invalid: unknown tag)', handlers.authorize, [
    () => authEvent(CHARGER, advance(10_000), 'TAG-UNKNOWN'),
  ]);
  await measure(
    'notification (session.completed)',
    handlers.notify,
    times(repeats, () => sessionCompletedStreamEvent()),
  );
  // A fresh heartbeat moves the bench charger's deadline past now, so the sweepers find nothing due.
  await handlers.heartbeat(
    heartbeatEvent(CHARGER, Math.max(advance(60_000), Date.now())),
    lambdaContext('heartbeat'),
  );
  const schedule = () => sampleEvent('heartbeat', 'sweeper.json');
  await measure('offline sweeper run (nothing due)', handlers.sweeper, [schedule]);
  await measure('session-expiry sweeper run (nothing due)', handlers.expireSessions, [schedule]);
  await measure('meter-request sweeper run (nothing due)', handlers.meterRequestTimeouts, [schedule]);

  const targets: Record<string, [string, (row: OpsRow) => boolean]> = {
    heartbeat: ['≤ 1 write, 0 reads', (row) => row.writes + row.transactions <= 1 && row.reads === 0],
    'meter (in session)': ['≤ 2 writes', (row) => row.writes + row.transactions <= 2],
    'meter (no session)': ['≤ 2 writes', (row) => row.writes + row.transactions <= 2],
    'auth (Accepted)': [
      '≤ 1 read + 1 transaction',
      (row) => row.reads <= 1 && row.transactions <= 1 && row.writes === 0,
    ],
  };
  for (const row of rows) {
    const target = targets[row.message];
    if (!target) continue;
    row.target = target[0];
    row.meetsTarget = target[1](row);
  }
  return rows;
}
