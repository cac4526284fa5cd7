import { randomUUID } from 'node:crypto';
import { addIdTag } from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { registerChargerLocally } from '@evcharge/local-identity';
import { connectAsync, type MqttClient } from 'mqtt';
import type { BenchContext } from './context.js';
import { captureHeartbeatCommands, refusedChargers, replayRate } from './heartbeat-replay.js';
import { type LoopBounds, rawBrokerRate } from './raw-baselines.js';
import { median, percentile, ratio, round, sleep } from './stats.js';

// Group 3: raw MQTT publish → rule → handler (in-process worker, as `pnpm start` runs it) → DynamoDB Local
// commit, through startLocalCloud. A message counts as committed when its function's invocation completed
// (the local cloud's per-function counter), matched to publishes in order per function.

export const PIPELINE_TARGET_RATIO = 0.8;

/** Past the heartbeat handler's 30 s write throttle, so a replayed heartbeat after a pause is a real write. */
const THROTTLE_GAP_MS = 31_000;

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
    /** Median of the replay rounds: the heartbeat handler's own DynamoDB commands, replayed raw. */
    replayedHeartbeatPerS: number;
    /** What one replayed heartbeat sends, e.g. { UpdateItemCommand: 1 }. */
    replayedCommandsPerHeartbeat: Record<string, number>;
    replayErrors: number;
    /** The replay's refused or failed commands by error name (none expected). */
    replayErrorNames: Record<string, number>;
  };
  /** Replay and heartbeat phase alternated: each round's pair, in run order. */
  heartbeatRounds: { replayPerS: number; pipelinePerS: number; ratio: number }[];
  heartbeat: WorkloadResult & {
    /** Median of the rounds' pipeline/replay ratios. */
    ratioToReplay: number;
    /** Lowest and highest of the rounds' ratios. */
    ratioSpread: [number, number];
    ratioToRawBroker: number;
    meetsTarget: boolean;
  };
  mixed: WorkloadResult & { ratioToReplay: number; counts: Record<Kind, number> };
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
  const replayChargerClients: Charger[] = [];
  try {
    const now = new Date();
    // A few at a time: DynamoDB Local times out on lock waits when hundreds of registrations land at once.
    const connectOne = async (index: number, prefix = 'CP-PIPE'): Promise<Charger> => {
      const id = `${prefix}-${String(index).padStart(3, '0')}`;
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
      chargers.push(...(await Promise.all(indexes.map((index) => connectOne(index)))));
    }
    await sleep(500);
    context.progress(`pipeline: ${chargerCount} chargers connected`);

    // Chargers of the replay alone (its heartbeats carry their own clock and must not make the pipeline's
    // stale), connected and brought online through the cloud like the pipeline's, so the captured command
    // meets the same item state.
    // Twice the window: two commands for one charger are never in flight together (a later one landing first
    // would make the earlier one stale, a refused write the pipeline never makes).
    const replayCount = 2 * window;
    for (let start = 0; start < replayCount; start += 8) {
      const indexes = Array.from({ length: Math.min(8, replayCount - start) }, (_, offset) => start + offset);
      replayChargerClients.push(
        ...(await Promise.all(indexes.map((index) => connectOne(index, 'CP-REPLAY')))),
      );
    }
    let replayChargers = replayChargerClients.map((charger) => charger.id);
    let replayClockMs = Date.now();
    // A charger whose first messages the cloud has not applied yet would refuse the handler's command: it gets
    // another heartbeat through the cloud, at most three times, and is left out of the replay if it still does.
    let unready = replayChargers;
    for (let attempt = 0; attempt < 3 && unready.length > 0; attempt++) {
      for (const charger of replayChargerClients.filter((entry) => unready.includes(entry.id)))
        charger.client.publish(`chargers/${charger.id}/heartbeat`, payloadFor('heartbeat', charger), {
          qos: 1,
        });
      await settle(cloud);
      replayClockMs = Date.now();
      const probe = await captureHeartbeatCommands(context, unready, unready.length, replayClockMs);
      replayClockMs += THROTTLE_GAP_MS;
      unready = await refusedChargers(cloud.endpoints.dynamodb, cloud.table.tableName, probe, unready);
    }
    replayChargers = replayChargers.filter((id) => !unready.includes(id));
    if (unready.length > 0) context.progress(`pipeline: ${unready.length} replay chargers never got ready`);
    // Each replay gets fresh commands, newer than the last (one second apart per charger, alternating firmware,
    // as the pipeline's heartbeats). The first of a replay comes more than the handler's 30 s throttle after the
    // last of the one before, as only part of a replay's commands is sent: it must be a real write too.
    const replayCommands = async (count: number) => {
      const heartbeats = count;
      const commands = await captureHeartbeatCommands(context, replayChargers, heartbeats, replayClockMs);
      replayClockMs += Math.ceil(heartbeats / replayChargers.length) * 1_000 + THROTTLE_GAP_MS;
      return { commands, heartbeats, perHeartbeat: commands.length / heartbeats };
    };
    // Enough for a phase at a few times the last measured DynamoDB Local rate.
    let replayMessages = context.quick ? 5_000 : 25_000;
    const replay = async (durationMs: number) => {
      const { commands, heartbeats, perHeartbeat } = await replayCommands(replayMessages);
      const result = await replayRate(cloud.endpoints.dynamodb, cloud.table.tableName, commands, {
        ...bounds,
        durationMs,
      });
      // Heartbeats per second: a heartbeat may be more than one command.
      return { ...result, perS: result.perS / perHeartbeat, commands, heartbeats };
    };

    // Warm every function's worker (first invocations are cold) and the JVM before measuring.
    await saturate(cloud, chargers, { ...bounds, durationMs: warmUpMs, maxCount: 2_000 }, MIXED_RATIO);
    const warmReplay = await replay(warmUpMs);
    // Capturing costs time too: later replays get three times what the warm one's rate needs for a phase.
    replayMessages = Math.min(
      replayMessages,
      Math.ceil(warmReplay.perS * (bounds.durationMs / 1000) * 3) + 500,
    );
    const replayedCommandsPerHeartbeat: Record<string, number> = {};
    for (const command of warmReplay.commands)
      replayedCommandsPerHeartbeat[command.name] = (replayedCommandsPerHeartbeat[command.name] ?? 0) + 1;
    for (const name of Object.keys(replayedCommandsPerHeartbeat))
      replayedCommandsPerHeartbeat[name] = round(
        replayedCommandsPerHeartbeat[name]! / warmReplay.heartbeats,
        2,
      );

    // Baselines with the cloud idle but running, so they share the machine as the pipeline does. The replay
    // and the heartbeat phase alternate three times (the JVM and the machine drift); the ratio is the median pair.
    await settle(cloud); // the warm-up's stream records are still being delivered
    const rawBrokerPerS = await rawBrokerRate(bounds);
    const heartbeatRounds: PipelineResult['heartbeatRounds'] = [];
    let replayErrors = 0;
    const replayErrorNames: Record<string, number> = {};
    let heartbeatSaturation = { perS: 0, errors: 0, counts: { heartbeat: 0, meter: 0, plug: 0, auth: 0 } };
    // A quick run (CI's smoke run) does one round: it keeps the code working, its figures are not used.
    const rounds = context.quick ? 1 : 3;
    for (let pass = 1; pass <= rounds; pass++) {
      await settle(cloud);
      const replayed = await replay(bounds.durationMs);
      replayErrors += replayed.errors;
      for (const [name, count] of Object.entries(replayed.errorNames))
        replayErrorNames[name] = (replayErrorNames[name] ?? 0) + count;
      await settle(cloud);
      const saturation = await saturate(cloud, chargers, bounds);
      heartbeatSaturation = {
        perS: heartbeatSaturation.perS + saturation.perS / 3,
        errors: heartbeatSaturation.errors + saturation.errors,
        counts: saturation.counts,
      };
      heartbeatRounds.push({
        replayPerS: round(replayed.perS),
        pipelinePerS: round(saturation.perS),
        ratio: ratio(saturation.perS, replayed.perS),
      });
      context.progress(
        `pipeline: round ${pass}/${rounds}: replayed heartbeat ${Math.round(replayed.perS)}/s, pipeline ${Math.round(saturation.perS)}/s`,
      );
    }
    const replayedHeartbeatPerS = median(heartbeatRounds.map((entry) => entry.replayPerS));
    const roundRatios = heartbeatRounds.map((entry) => entry.ratio);
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
    const heartbeatRatio = median(roundRatios);
    return {
      chargers: chargerCount,
      window,
      phaseMs,
      baselines: {
        rawBrokerPerS: round(rawBrokerPerS),
        replayedHeartbeatPerS: round(replayedHeartbeatPerS),
        replayedCommandsPerHeartbeat,
        replayErrors,
        replayErrorNames,
      },
      heartbeatRounds,
      heartbeat: {
        sustainedPerS: round(heartbeatSaturation.perS),
        latencyRatePerS: round(heartbeatRate),
        ...summarize(heartbeatLatency.latencies),
        errors: heartbeatSaturation.errors + heartbeatLatency.errors,
        ratioToReplay: heartbeatRatio,
        ratioSpread: [Math.min(...roundRatios), Math.max(...roundRatios)],
        ratioToRawBroker: ratio(heartbeatSaturation.perS, rawBrokerPerS),
        meetsTarget: heartbeatRatio >= PIPELINE_TARGET_RATIO,
      },
      mixed: {
        sustainedPerS: round(mixedSaturation.perS),
        latencyRatePerS: round(mixedRate),
        ...summarize(mixedLatency.latencies),
        errors: mixedSaturation.errors + mixedLatency.errors,
        ratioToReplay: ratio(mixedSaturation.perS, replayedHeartbeatPerS),
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
    await Promise.all(
      [...chargers, ...replayChargerClients].map((charger) =>
        charger.client.endAsync().catch(() => undefined),
      ),
    );
    const deadline = Date.now() + 5_000;
    while (cloud.stats().connectedClients > 0 && Date.now() < deadline) await sleep(50);
    await sleep(500);
    await cloud.stop();
  }
}
