import { randomUUID } from 'node:crypto';
import { addIdTag } from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { registerChargerLocally } from '@evcharge/local-identity';
import { connectAsync, type MqttClient } from 'mqtt';
import type { BenchContext } from './context.js';
import { type LoopBounds, rawBrokerRate, rawUpdateItemRate } from './raw-baselines.js';
import { percentile, ratio, round, sleep } from './stats.js';

// Group 3: raw MQTT publish → rule → handler (in-process worker, as `pnpm start` runs it) → DynamoDB Local
// commit, through startLocalCloud. A message counts as committed when its function's invocation completed
// (the local cloud's per-function counter), matched to publishes in order per function.

export const PIPELINE_TARGET_RATIO = 0.8;

type Kind = 'heartbeat' | 'meter' | 'plug' | 'auth';

const functionOf: Record<Kind, string> = {
  heartbeat: 'heartbeat.heartbeat',
  meter: 'metering.ingestReading',
  plug: 'plug-events.plug',
  auth: 'charge-authorization.authorize',
};

const topicOf: Record<Kind, string> = {
  heartbeat: 'heartbeat',
  meter: 'meter',
  plug: 'plug',
  auth: 'auth/request',
};

/** Messages per charger-day at the default intervals: heartbeat 300 s, meter 900 s, one session a day. */
export const MIXED_RATIO: Record<Kind, number> = { heartbeat: 288, meter: 96, plug: 2, auth: 1 };

export interface WorkloadResult {
  /** Sustained completions/s with at most `window` messages in flight. */
  sustainedPerS: number;
  /** Offered rate of the latency phase (half the sustained rate). */
  latencyRatePerS: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  messages: number;
  errors: number;
}

export interface PipelineResult {
  chargers: number;
  window: number;
  phaseMs: number;
  baselines: {
    rawBrokerPerS: number;
    rawUpdateItemPerS: number;
    rawUpdateItemBeforePerS: number;
    rawUpdateItemAfterPerS: number;
  };
  heartbeat: WorkloadResult & {
    ratioToRawUpdateItem: number;
    ratioToRawBroker: number;
    meetsTarget: boolean;
  };
  mixed: WorkloadResult & { ratioToRawUpdateItem: number; counts: Record<Kind, number> };
  authRoundTrip: { samples: number; p50Ms: number; p99Ms: number; timeouts: number };
  deadLetters: number;
  /** Failed invocations per function over the whole group (warm-up included); Lambda retries them. */
  errorsByFunction: Record<string, number>;
  notificationsPublished: number;
  streamRecords: number;
  notifyInvocations: number;
}

interface Charger {
  id: string;
  client: MqttClient;
  idTag: string;
  /** Connector 1's session state in the mixed workload. */
  session: 'idle' | 'authorized' | 'charging';
  registerWh: number;
  sequence: number;
}

function payloadFor(kind: Kind, charger: Charger): string {
  const at = new Date().toISOString();
  charger.sequence++;
  switch (kind) {
    case 'heartbeat':
      // Alternating firmware makes every heartbeat a real write (not the < 30 s throttle's no-op).
      return JSON.stringify({ at, firmware: `bench/${charger.sequence % 2}` });
    case 'meter':
      charger.registerWh += 250;
      return JSON.stringify({
        messageId: randomUUID(),
        connectorId: 1,
        at,
        energy: { value: charger.registerWh, unit: 'Wh' },
        powerW: 7200,
        context: 'Sample.Periodic',
      });
    case 'plug':
      return JSON.stringify({
        messageId: randomUUID(),
        connectorId: 1,
        event: charger.session === 'authorized' ? 'plugged' : 'unplugged',
        at,
      });
    case 'auth':
      return JSON.stringify({ requestId: randomUUID(), connectorId: 1, idTag: charger.idTag, at });
  }
}

/** Tracks publishes per function and matches them, in order, to that function's completed invocations. */
class CommitTracker {
  private readonly pending = new Map<string, number[]>();
  private readonly seen = new Map<string, number>();
  latencies: number[] = [];
  completed = 0;
  published = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly cloud: LocalCloud) {
    for (const [fn, count] of Object.entries(cloud.stats().invocationsByFunction)) this.seen.set(fn, count);
  }

  track(functionId: string): void {
    this.published++;
    const list = this.pending.get(functionId) ?? [];
    list.push(performance.now());
    this.pending.set(functionId, list);
  }

  poll = (): void => {
    const now = performance.now();
    const counts = this.cloud.stats().invocationsByFunction;
    for (const [fn, list] of this.pending) {
      const count = counts[fn] ?? 0;
      let fresh = count - (this.seen.get(fn) ?? 0);
      this.seen.set(fn, count);
      while (fresh-- > 0 && list.length > 0) {
        this.latencies.push(now - list.shift()!);
        this.completed++;
      }
    }
  };

  start(): void {
    this.timer = setInterval(this.poll, 1);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get outstanding(): number {
    return this.published - this.completed;
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.outstanding > 0 && performance.now() < deadline) await sleep(5);
  }
}

function chooser(mix: Record<Kind, number> | undefined, chargers: Charger[]) {
  let turn = 0;
  const weights = mix ?? { heartbeat: 1, meter: 0, plug: 0, auth: 0 };
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  // A deterministic interleave: message n is of the kind whose share is furthest behind.
  const sent: Record<Kind, number> = { heartbeat: 0, meter: 0, plug: 0, auth: 0 };
  return (): { kind: Kind; charger: Charger } => {
    turn++;
    let kind: Kind = 'heartbeat';
    let worst = -Infinity;
    for (const candidate of Object.keys(weights) as Kind[]) {
      const lag = (weights[candidate] / total) * turn - sent[candidate];
      if (weights[candidate] > 0 && lag > worst) {
        worst = lag;
        kind = candidate;
      }
    }
    let charger = chargers[turn % chargers.length]!;
    if (kind === 'plug') {
      const candidate = chargers.find((entry) => entry.session !== 'idle');
      // No session to plug into yet: start one instead (plugs follow auths 2:1).
      if (candidate) charger = candidate;
      else kind = 'auth';
    }
    if (kind === 'auth') {
      const candidate = chargers.find((entry) => entry.session === 'idle');
      if (candidate) {
        charger = candidate;
        charger.session = 'authorized';
      } else kind = 'heartbeat';
    }
    sent[kind]++;
    return { kind, charger };
  };
}

function advanceSession(kind: Kind, charger: Charger): void {
  if (kind !== 'plug') return;
  charger.session = charger.session === 'authorized' ? 'charging' : 'idle';
}

async function saturate(
  cloud: LocalCloud,
  chargers: Charger[],
  bounds: LoopBounds,
  mix?: Record<Kind, number>,
): Promise<{ perS: number; errors: number; counts: Record<Kind, number> }> {
  const tracker = new CommitTracker(cloud);
  const errorsBefore = cloud.stats().errors;
  const next = chooser(mix, chargers);
  const counts: Record<Kind, number> = { heartbeat: 0, meter: 0, plug: 0, auth: 0 };
  tracker.start();
  const started = performance.now();
  try {
    while (performance.now() - started < bounds.durationMs && tracker.published < bounds.maxCount) {
      if (tracker.outstanding >= bounds.window) {
        await sleep(1);
        continue;
      }
      const { kind, charger } = next();
      const payload = payloadFor(kind, charger);
      advanceSession(kind, charger);
      counts[kind]++;
      charger.client.publish(`chargers/${charger.id}/${topicOf[kind]}`, payload, { qos: 1 });
      tracker.track(functionOf[kind]);
    }
    // The rate counts only what committed within the phase.
    tracker.poll();
    const perS = tracker.completed / ((performance.now() - started) / 1000);
    await tracker.drain(30_000);
    return { perS, errors: cloud.stats().errors - errorsBefore, counts };
  } finally {
    tracker.stop();
  }
}

async function paced(
  cloud: LocalCloud,
  chargers: Charger[],
  ratePerS: number,
  bounds: LoopBounds,
  mix?: Record<Kind, number>,
): Promise<{ latencies: number[]; errors: number }> {
  const tracker = new CommitTracker(cloud);
  const errorsBefore = cloud.stats().errors;
  const next = chooser(mix, chargers);
  tracker.start();
  const started = performance.now();
  try {
    while (performance.now() - started < bounds.durationMs && tracker.published < bounds.maxCount) {
      const due = Math.floor(((performance.now() - started) / 1000) * ratePerS);
      while (tracker.published < due && tracker.published < bounds.maxCount) {
        const { kind, charger } = next();
        const payload = payloadFor(kind, charger);
        advanceSession(kind, charger);
        charger.client.publish(`chargers/${charger.id}/${topicOf[kind]}`, payload, { qos: 1 });
        tracker.track(functionOf[kind]);
      }
      await sleep(1);
    }
    await tracker.drain(30_000);
    tracker.poll();
    return { latencies: tracker.latencies, errors: cloud.stats().errors - errorsBefore };
  } finally {
    tracker.stop();
  }
}

async function authRoundTrips(chargers: Charger[], samples: number) {
  const latencies: number[] = [];
  let timeouts = 0;
  for (let index = 0; index < samples; index++) {
    const charger = chargers[index % chargers.length]!;
    const requestId = randomUUID();
    const started = performance.now();
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        charger.client.off('message', onMessage);
        resolve(false);
      }, 5_000);
      const onMessage = (_topic: string, payload: Buffer) => {
        if (!payload.toString().includes(requestId)) return;
        clearTimeout(timer);
        charger.client.off('message', onMessage);
        resolve(true);
      };
      charger.client.on('message', onMessage);
      charger.client.publish(
        `chargers/${charger.id}/auth/request`,
        JSON.stringify({ requestId, connectorId: 2, idTag: charger.idTag, at: new Date().toISOString() }),
        { qos: 1 },
      );
    });
    if (answered) latencies.push(performance.now() - started);
    else timeouts++;
  }
  return { latencies, timeouts };
}

/** Waits until the cloud is idle (no new invocations or stream records for 500 ms), at most 20 s. */
async function settle(cloud: LocalCloud): Promise<void> {
  const activity = () => {
    const stats = cloud.stats();
    return stats.invocations + stats.streamRecords;
  };
  const deadline = Date.now() + 20_000;
  let last = activity();
  while (Date.now() < deadline) {
    await sleep(500);
    const now = activity();
    if (now === last) return;
    last = now;
  }
}

function summarize(latencies: number[]) {
  return {
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    messages: latencies.length,
  };
}

export async function measurePipeline(context: BenchContext): Promise<PipelineResult> {
  const chargerCount = context.quick ? 20 : 100;
  const window = 32;
  const phaseMs = context.quick ? 2_500 : 10_000;
  // The JVM keeps getting faster for seconds (JIT): warm it and the workers before any baseline or phase.
  const warmUpMs = context.quick ? 1_500 : 5_000;
  const bounds: LoopBounds = { durationMs: phaseMs, maxCount: context.quick ? 5_000 : 50_000, window };

  // Its own DynamoDB Local (a fresh JVM): the other groups' items (a 100 k fleet) must not slow it down.
  const cloud = await startLocalCloud({
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0 },
    tableName: `bench-pipeline-${randomUUID().slice(0, 8)}`,
    quiet: true,
    functionLogs: 'discard',
  });
  context.progress('pipeline: local cloud started');
  const chargers: Charger[] = [];
  try {
    const now = new Date();
    // A few at a time: DynamoDB Local times out on lock waits when hundreds of registrations land at once.
    const connectOne = async (index: number): Promise<Charger> => {
      const id = `CP-PIPE-${String(index).padStart(3, '0')}`;
      const credentials = await registerChargerLocally(cloud.table, {
        chargerId: id,
        connectorCount: 2,
        now,
      });
      const idTag = `TAG-PIPE-${index}`;
      await addIdTag(cloud.table, { idTag, userId: `bench-user-${index}`, maxConcurrent: 4 });
      const client = await connectAsync(cloud.endpoints.mqttUrl, {
        clientId: id,
        username: credentials.username,
        password: credentials.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      await client.subscribeAsync(`chargers/${id}/auth/response`, { qos: 1 });
      return { id, client, idTag, session: 'idle', registerWh: 1_000, sequence: 0 };
    };
    for (let start = 0; start < chargerCount; start += 8) {
      const indexes = Array.from(
        { length: Math.min(8, chargerCount - start) },
        (_, offset) => start + offset,
      );
      chargers.push(...(await Promise.all(indexes.map(connectOne))));
    }
    await sleep(500);
    context.progress(`pipeline: ${chargerCount} chargers connected`);

    // Warm every function's worker (first invocations are cold) and the JVM before measuring.
    await saturate(cloud, chargers, { ...bounds, durationMs: warmUpMs, maxCount: 2_000 }, MIXED_RATIO);
    await rawUpdateItemRate(cloud.endpoints.dynamodb, cloud.table.tableName, {
      ...bounds,
      durationMs: warmUpMs,
    });

    // Baselines with the cloud idle but running, so they share the machine as the pipeline does. The
    // UpdateItem rate is measured right before and right after the heartbeat phase (mean), as the machine drifts.
    await settle(cloud); // the warm-up's stream records are still being delivered
    const rawBrokerPerS = await rawBrokerRate(bounds);
    const rawUpdateItemBefore = await rawUpdateItemRate(
      cloud.endpoints.dynamodb,
      cloud.table.tableName,
      bounds,
    );

    await settle(cloud);
    const heartbeatSaturation = await saturate(cloud, chargers, bounds);
    await settle(cloud);
    const rawUpdateItemAfter = await rawUpdateItemRate(
      cloud.endpoints.dynamodb,
      cloud.table.tableName,
      bounds,
    );
    const rawUpdateItemPerS = (rawUpdateItemBefore + rawUpdateItemAfter) / 2;
    context.progress(
      `raw baselines: aedes ${Math.round(rawBrokerPerS)}/s, UpdateItem ${Math.round(rawUpdateItemBefore)}/s before and ${Math.round(rawUpdateItemAfter)}/s after the heartbeat phase`,
    );
    const heartbeatRate = heartbeatSaturation.perS / 2;
    await settle(cloud);
    const heartbeatLatency = await paced(cloud, chargers, heartbeatRate, bounds);
    context.progress(`pipeline: heartbeat ${Math.round(heartbeatSaturation.perS)}/s`);

    await settle(cloud);
    const mixedSaturation = await saturate(cloud, chargers, bounds, MIXED_RATIO);
    const mixedRate = mixedSaturation.perS / 2;
    await settle(cloud);
    const mixedLatency = await paced(cloud, chargers, mixedRate, bounds, MIXED_RATIO);
    context.progress(`pipeline: mixed ${Math.round(mixedSaturation.perS)}/s`);

    await settle(cloud);
    const auth = await authRoundTrips(chargers, context.quick ? 5 : 30);
    const stats = cloud.stats();
    const heartbeatRatio = ratio(heartbeatSaturation.perS, rawUpdateItemPerS);
    return {
      chargers: chargerCount,
      window,
      phaseMs,
      baselines: {
        rawBrokerPerS: round(rawBrokerPerS),
        rawUpdateItemPerS: round(rawUpdateItemPerS),
        rawUpdateItemBeforePerS: round(rawUpdateItemBefore),
        rawUpdateItemAfterPerS: round(rawUpdateItemAfter),
      },
      heartbeat: {
        sustainedPerS: round(heartbeatSaturation.perS),
        latencyRatePerS: round(heartbeatRate),
        ...summarize(heartbeatLatency.latencies),
        errors: heartbeatSaturation.errors + heartbeatLatency.errors,
        ratioToRawUpdateItem: heartbeatRatio,
        ratioToRawBroker: ratio(heartbeatSaturation.perS, rawBrokerPerS),
        meetsTarget: heartbeatRatio >= PIPELINE_TARGET_RATIO,
      },
      mixed: {
        sustainedPerS: round(mixedSaturation.perS),
        latencyRatePerS: round(mixedRate),
        ...summarize(mixedLatency.latencies),
        errors: mixedSaturation.errors + mixedLatency.errors,
        ratioToRawUpdateItem: ratio(mixedSaturation.perS, rawUpdateItemPerS),
        counts: mixedSaturation.counts,
      },
      authRoundTrip: {
        samples: auth.latencies.length,
        p50Ms: round(percentile(auth.latencies, 50)),
        p99Ms: round(percentile(auth.latencies, 99)),
        timeouts: auth.timeouts,
      },
      deadLetters: stats.deadLetters,
      errorsByFunction: stats.errorsByFunction,
      notificationsPublished: stats.notifications,
      streamRecords: stats.streamRecords,
      notifyInvocations: stats.invocationsByFunction['notifications.notify'] ?? 0,
    };
  } finally {
    // Let replies and lifecycle events settle: the broker must not publish a disconnect after it closed.
    await sleep(500);
    await Promise.all(chargers.map((charger) => charger.client.endAsync().catch(() => undefined)));
    const deadline = Date.now() + 5_000;
    while (cloud.stats().connectedClients > 0 && Date.now() < deadline) await sleep(50);
    await sleep(500);
    await cloud.stop();
  }
}
