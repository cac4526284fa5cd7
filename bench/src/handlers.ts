import type { Context } from 'aws-lambda';
import type { BenchContext } from './context.js';
import { countOperations, newCounter, type OpCounter } from './op-counter.js';

// The REAL handlers, loaded in this process (as the local cloud's workers do), with every service's
// module-scope document client counted by one shared counter, and what they log counted (not printed) at
// the application log level a deploy uses.

export type Invoke = (event: unknown, context: Context) => Promise<unknown>;

/** Each in-process handler's function as the bench names it (`<service>.<function>` of serverless.yml). */
export const functionIdOf = {
  heartbeat: 'heartbeat.heartbeat',
  presence: 'heartbeat.presence',
  sweeper: 'heartbeat.sweeper',
  authorize: 'charge-authorization.authorize',
  transactionStart: 'charge-authorization.transaction-start',
  transactionStop: 'charge-authorization.transaction-stop',
  expireSessions: 'charge-authorization.expire-sessions',
  ingestReading: 'metering.ingestReading',
  meterRequestTimeouts: 'metering.meterRequestTimeouts',
  plug: 'plug-events.plug',
  notify: 'notifications.notify',
} as const;
export type HandlerName = keyof typeof functionIdOf;

/** Log output of the in-process handlers: one CloudWatch event per line written to stdout or stderr. */
export interface LogTally {
  bytes: number;
  events: number;
}

export interface InProcessHandlers {
  counter: OpCounter;
  /** What the handlers logged so far; `take` returns it and starts a new tally. */
  logs: { take: () => LogTally };
  heartbeat: Invoke;
  presence: Invoke;
  sweeper: Invoke;
  authorize: Invoke;
  transactionStart: Invoke;
  transactionStop: Invoke;
  expireSessions: Invoke;
  ingestReading: Invoke;
  meterRequestTimeouts: Invoke;
  plug: Invoke;
  notify: Invoke;
}

let tally: LogTally = { bytes: 0, events: 0 };

/** Runs one invocation with stdout and stderr counted into the tally instead of printed. */
function counted(handler: unknown): Invoke {
  return async (event, context) => {
    const streams = [process.stdout, process.stderr];
    const writes = streams.map((stream) => stream.write);
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        tally.bytes += Buffer.byteLength(text);
        tally.events += text.split('\n').filter((line) => line.length > 0).length;
        return true;
      }) as typeof stream.write;
    }
    try {
      return await (handler as Invoke)(event, context);
    } finally {
      streams.forEach((stream, index) => {
        stream.write = writes[index]!;
      });
    }
  };
}

/** Sets the function environment first: the services read it at module scope. */
export async function loadHandlers(context: BenchContext): Promise<InProcessHandlers> {
  Object.assign(process.env, context.functionEnv);
  const counter = newCounter();
  const configs = await Promise.all([
    import('../../services/heartbeat/src/config.js'),
    import('../../services/charge-authorization/src/config.js'),
    import('../../services/metering/src/config.js'),
    import('../../services/plug-events/src/config.js'),
    import('../../services/notifications/src/config.js'),
  ]);
  for (const config of configs) countOperations(config.table.client, counter);
  const [
    heartbeat,
    presence,
    sweeper,
    authorize,
    transactionStart,
    transactionStop,
    expireSessions,
    ingestReading,
    meterRequestTimeouts,
    plug,
    notify,
  ] = await Promise.all([
    import('../../services/heartbeat/src/handlers/heartbeat.js'),
    import('../../services/heartbeat/src/handlers/presence.js'),
    import('../../services/heartbeat/src/handlers/sweeper.js'),
    import('../../services/charge-authorization/src/handlers/authorize.js'),
    import('../../services/charge-authorization/src/handlers/transaction-start.js'),
    import('../../services/charge-authorization/src/handlers/transaction-stop.js'),
    import('../../services/charge-authorization/src/handlers/expire-sessions.js'),
    import('../../services/metering/src/handlers/ingest-reading.js'),
    import('../../services/metering/src/handlers/meter-request-timeouts.js'),
    import('../../services/plug-events/src/handlers/plug.js'),
    import('../../services/notifications/src/handlers/notify.js'),
  ]);
  return {
    counter,
    logs: {
      take() {
        const taken = tally;
        tally = { bytes: 0, events: 0 };
        return taken;
      },
    },
    heartbeat: counted(heartbeat.handler),
    presence: counted(presence.handler),
    sweeper: counted(sweeper.handler),
    authorize: counted(authorize.handler),
    transactionStart: counted(transactionStart.handler),
    transactionStop: counted(transactionStop.handler),
    expireSessions: counted(expireSessions.handler),
    ingestReading: counted(ingestReading.handler),
    meterRequestTimeouts: counted(meterRequestTimeouts.handler),
    plug: counted(plug.handler),
    notify: counted(notify.handler),
  };
}
