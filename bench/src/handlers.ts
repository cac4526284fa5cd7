import type { Context } from 'aws-lambda';
import type { BenchContext } from './context.js';
import { countOperations, newCounter, type OpCounter } from './op-counter.js';

// The REAL handlers, loaded in this process (as the local cloud's workers do), with every service's
// module-scope document client counted by one shared counter.

export type Invoke = (event: unknown, context: Context) => Promise<unknown>;

export interface InProcessHandlers {
  counter: OpCounter;
  heartbeat: Invoke;
  presence: Invoke;
  sweeper: Invoke;
  authorize: Invoke;
  expireSessions: Invoke;
  ingestReading: Invoke;
  meterRequestTimeouts: Invoke;
  plug: Invoke;
  notify: Invoke;
}

const asInvoke = (handler: unknown) => handler as Invoke;

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
    import('../../services/charge-authorization/src/handlers/expire-sessions.js'),
    import('../../services/metering/src/handlers/ingest-reading.js'),
    import('../../services/metering/src/handlers/meter-request-timeouts.js'),
    import('../../services/plug-events/src/handlers/plug.js'),
    import('../../services/notifications/src/handlers/notify.js'),
  ]);
  return {
    counter,
    heartbeat: asInvoke(heartbeat.handler),
    presence: asInvoke(presence.handler),
    sweeper: asInvoke(sweeper.handler),
    authorize: asInvoke(authorize.handler),
    expireSessions: asInvoke(expireSessions.handler),
    ingestReading: asInvoke(ingestReading.handler),
    meterRequestTimeouts: asInvoke(meterRequestTimeouts.handler),
    plug: asInvoke(plug.handler),
    notify: asInvoke(notify.handler),
  };
}
