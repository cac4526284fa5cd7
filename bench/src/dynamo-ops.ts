import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addIdTag, deadlinePartitionFor, getConnector, keys, registerCharger } from '@evcharge/dynamo';
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
import { functionIdOf, type HandlerName, type InProcessHandlers } from './handlers.js';
import type { OpCounts } from './op-counter.js';
import { median, round } from './stats.js';
import type { StubEndpoints } from './stub-endpoints.js';

// Group 2: DynamoDB operations, capacity and warm duration per message type, from the real handlers
// against DynamoDB Local (ReturnConsumedCapacity=TOTAL on every call).

/** The counts are per invocation (averaged over `invocations`). */
export interface OpsRow extends OpCounts {
  message: string;
  /** The function that handled it (`<service>.<function>`): its memory prices the duration. */
  functionId: string;
  invocations: number;
  /** Application log output per invocation at the deploy's log level (lines = CloudWatch events). */
  logBytes: number;
  logEvents: number;
  snsPublishes: number;
  iotPublishes: number;
  /** Median warm in-process duration, ms (DynamoDB Local round trips included). */
  durationMs: number;
  /** Median CPU time of this process per invocation, ms: the handler's own work, which Lambda's CPU share scales. */
  cpuMs: number;
  target?: string;
  meetsTarget?: boolean;
  /** An invocation refused its event (bad input) or threw: the row measured that path, not the message's work. */
  failed?: string;
}

const CHARGER = 'CP-BENCH-OPS';
const OCPP_CHARGER = 'CP-BENCH-OPS-OCPP';
const envelope = (chargerId: string, receivedAt: number) => ({ chargerId, clientId: chargerId, receivedAt });
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
  // A row: the message's name (kept stable: the cost model and README read them), the handler, its events.
  const measure = async (
    message: string,
    handler: HandlerName,
    events: (() => unknown)[],
  ): Promise<unknown> => {
    let result: unknown;
    let failed: string | undefined;
    const durations: number[] = [];
    const cpu: number[] = [];
    const sns = stub.counts.snsPublish;
    const iot = stub.counts.iotPublish;
    handlers.counter.take();
    handlers.logs.take();
    for (const makeEvent of events) {
      const event = makeEvent();
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      result = await handlers[handler](event, lambdaContext(functionIdOf[handler])).catch(
        (error: unknown) => {
          failed ??= String(error).slice(0, 200);
          return undefined;
        },
      );
      const refusal = result as { rejected?: boolean; field?: string; reason?: string } | undefined;
      if (refusal?.rejected) failed ??= `rejected: ${refusal.field} ${refusal.reason}`;
      const cpuUsed = process.cpuUsage(cpuBefore);
      durations.push(performance.now() - started);
      cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
    }
    const counts: OpCounts = handlers.counter.take();
    const logs = handlers.logs.take();
    const per = (value: number) => round(value / events.length, 2);
    rows.push({
      message,
      functionId: functionIdOf[handler],
      invocations: events.length,
      logBytes: per(logs.bytes),
      logEvents: per(logs.events),
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
      cpuMs: round(median(cpu), 2),
      ...(failed ? { failed } : {}),
    });
    return result;
  };
  const times = <T>(count: number, make: () => T) => Array.from({ length: count }, () => make);

  await measure('presence (connected)', 'presence', [() => presenceEvent(CHARGER, advance(1_000), 1)]);
  await measure('heartbeat (first: offline→online)', 'heartbeat', [
    () => heartbeatEvent(CHARGER, advance(1_000)),
  ]);
  // A warm container writes a charger's heartbeat once per coalescing window (900 s by default).
  await measure(
    'heartbeat',
    'heartbeat',
    times(repeats, () => heartbeatEvent(CHARGER, advance(900_000))),
  );
  await measure('heartbeat (coalesced, < 900 s)', 'heartbeat', [
    () => heartbeatEvent(CHARGER, advance(300_000)),
  ]);
  await measure(
    'meter (no session)',
    'ingestReading',
    times(repeats, () => meterEvent(CHARGER, advance(900_000), 1_000)),
  );
  await measure('auth (Accepted)', 'authorize', [() => authEvent(CHARGER, advance(10_000), ID_TAG)]);
  const sessionId = (await getConnector(context.table, CHARGER, 1))?.activeSessionId;
  await measure('plug (plugged → Charging)', 'plug', [() => plugEvent(CHARGER, advance(10_000), 'plugged')]);
  let registerWh = 1_000;
  await measure(
    'meter (in session)',
    'ingestReading',
    times(repeats, () => {
      registerWh += 500;
      return meterEvent(CHARGER, advance(60_000), registerWh, sessionId);
    }),
  );
  await measure('plug (unplugged → Completed)', 'plug', [
    () => plugEvent(CHARGER, advance(10_000), 'unplugged'),
  ]);
  await measure('auth (Invalid: unknown tag)', 'authorize', [
    () => authEvent(CHARGER, advance(10_000), 'TAG-UNKNOWN'),
  ]);
  await measure(
    'notification (session.completed)',
    'notify',
    times(repeats, () => sessionCompletedStreamEvent()),
  );
  // OCPP transactions (contract v2) on a charger of their own: start opens a session, stop ends it.
  await registerCharger(context.table, {
    chargerId: OCPP_CHARGER,
    connectorCount: 1,
    now: new Date(base - 60_000),
  });
  const started = (await measure('transaction start (OCPP StartTransaction)', 'transactionStart', [
    () => ({
      requestId: randomUUID(),
      connectorId: 1,
      idTag: ID_TAG,
      meterStart: 1_000,
      at: new Date(advance(10_000)).toISOString(),
      ...envelope(OCPP_CHARGER, clock),
    }),
  ])) as { transactionId?: number } | undefined;
  await measure('transaction stop (OCPP StopTransaction)', 'transactionStop', [
    () => ({
      requestId: randomUUID(),
      transactionId: started?.transactionId ?? 0,
      meterStop: 9_000,
      reason: 'EVDisconnected',
      at: new Date(advance(3_600_000)).toISOString(),
      ...envelope(OCPP_CHARGER, clock),
    }),
  ]);
  // A fresh heartbeat moves the bench charger's deadline past now, so the sweepers find nothing due.
  await handlers.heartbeat(
    heartbeatEvent(CHARGER, Math.max(advance(60_000), Date.now())),
    lambdaContext('heartbeat'),
  );
  const schedule = () => sampleEvent('heartbeat', 'sweeper.json');
  await measure('offline sweeper run (nothing due)', 'sweeper', [schedule]);
  // The backstop's cost per connected charger: once per silence window the sweeper reads it and re-arms it.
  const REARMED = 'BENCH-REARM';
  await registerCharger(context.table, {
    chargerId: REARMED,
    connectorCount: 1,
    now: new Date(base - 60_000),
  });
  await context.table.client.send(
    new UpdateCommand({
      TableName: context.table.tableName,
      Key: keys.charger(REARMED),
      UpdateExpression:
        'SET #status = :online, connected = :true, duePk = :duePk, dueAt = :dueAt, lastSeenAt = :seen, onlineSince = :seen',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':online': 'online',
        ':true': true,
        ':duePk': deadlinePartitionFor('charger-offline', REARMED),
        ':dueAt': Date.now() - 120_000,
        ':seen': new Date(Date.now() - 60_000).toISOString(),
      },
    }),
  );
  await measure('offline sweeper run (one charger re-armed)', 'sweeper', [schedule]);
  await measure('session-expiry sweeper run (nothing due)', 'expireSessions', [schedule]);
  await measure('meter-request sweeper run (nothing due)', 'meterRequestTimeouts', [schedule]);

  const targets: Record<string, [string, (row: OpsRow) => boolean]> = {
    heartbeat: ['≤ 1 WCU, 0 reads', (row) => row.wcu <= 1 && row.reads === 0],
    'meter (in session)': ['≤ 2 WCU', (row) => row.wcu <= 2],
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
