import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chargerTopic } from '@evcharge/domain';
import { addIdTag, assignChargerToGateway, setOcppCredentialHash } from '@evcharge/dynamo';
import {
  type LocalCloud,
  type OcppGatewayProcess,
  startLocalCloud,
  startOcppGateway,
} from '@evcharge/local-cloud';
import { hashCredential, registerChargerLocally } from '@evcharge/local-identity';
import { connectAsync, type MqttClient } from 'mqtt';
import type { BenchContext } from './context.js';
import type { FleetCommand, FleetReport } from './gateway-fleet.js';
import { repoRoot } from './paths.js';
import { percentile, ratio, round, sleep } from './stats.js';

// Group 6: one OCPP gateway process (services/ocpp-gateway, started as `npm start` starts it) with a fleet of
// simulated chargers in another process (gateway-fleet.ts) and the local cloud's broker and services in this
// one: how many connect and how fast, the gateway's RSS per connected charger, Heartbeat round trips under that
// load, and StartTransaction → answer through the whole local cloud (gateway → broker → rule →
// charge-authorization → DynamoDB Local → answer) against the same request sent straight over MQTT.

export const GATEWAY_TARGETS = { connected: 5_000, rssPerChargerKb: 150, heartbeatP99Ms: 20 } as const;

export interface RttSummary {
  p50: number;
  p99: number;
  samples: number;
  errors: number;
}

export interface GatewayResult {
  chargers: number;
  connected: number;
  failed: number;
  rampS: number;
  heartbeatIntervalS: number;
  windowS: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  rssPerChargerKb: number;
  heartbeatRttMs: RttSummary;
  /** The gateway's own event-loop delay over the Heartbeat window (its 5 s metrics lines): worst p99, max. */
  gatewayEventLoopDelayMs: { p99: number; max: number };
  /** Its GC pauses over the same window: the longest one, and their sum. */
  gatewayGcPauseMs: { max: number; total: number };
  /** OCPP StartTransaction → CALLRESULT through the gateway and the local cloud. */
  startTransactionRttMs: RttSummary;
  /** The same request as a v2 `transaction/start` published straight to the broker → its response. */
  directMqttStartRttMs: RttSummary;
  /** startTransactionRttMs.p50 / directMqttStartRttMs.p50: what the gateway adds. */
  startRatioP50: number;
  targets: typeof GATEWAY_TARGETS;
}

const summary = (values: number[], errors: number): RttSummary => ({
  p50: round(percentile(values, 50), 2),
  p99: round(percentile(values, 99), 2),
  samples: values.length,
  errors,
});

/** A process's resident set, in bytes (Linux). */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/** Runs `task` over `items` with at most `concurrency` at once. */
async function inPool<T>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

class Fleet {
  private readonly child: ChildProcess;
  private readonly waiters: { type: FleetReport['type']; resolve: (report: FleetReport) => void }[] = [];

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/src/gateway-fleet.ts')], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (report: FleetReport) => {
      const index = this.waiters.findIndex((waiter) => waiter.type === report.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(report);
    });
  }

  ask<Type extends FleetReport['type']>(command: FleetCommand, answer: Type) {
    return new Promise<Extract<FleetReport, { type: Type }>>((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`charger fleet exited (${code})`)));
      this.waiters.push({
        type: answer,
        resolve: (report) => resolve(report as Extract<FleetReport, { type: Type }>),
      });
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await Promise.race([this.ask({ type: 'close' }, 'closed'), sleep(5_000)]).catch(() => undefined);
    this.child.kill('SIGKILL');
  }
}

interface DirectChargers {
  ids: string[];
  clients: MqttClient[];
  /** requestId → resolves with the time its transaction/start/response arrived. */
  waiting: Map<string, (answeredAt: number) => void>;
}

/** Chargers that speak the v2 contract straight over MQTT (registered, connected, subscribed to the answer). */
async function connectDirect(cloud: LocalCloud, ids: string[]): Promise<DirectChargers> {
  const direct: DirectChargers = { ids, clients: [], waiting: new Map() };
  await inPool(ids, 8, async (id, index) => {
    const { password } = await registerChargerLocally(cloud.table, {
      chargerId: id,
      connectorCount: 1,
      now: new Date(),
    });
    const client = await connectAsync(cloud.endpoints.mqttUrl, {
      clientId: id,
      username: id,
      password,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(chargerTopic('transactionStartResponse', id), { qos: 1 });
    client.on('message', (_topic, body) => {
      const { requestId } = JSON.parse(body.toString()) as { requestId: string };
      direct.waiting.get(requestId)?.(performance.now());
    });
    direct.clients[index] = client;
  });
  return direct;
}

/** v2 transaction/start straight over MQTT, request i from charger i, `spacingMs` apart. */
async function directStarts(
  direct: DirectChargers,
  count: number,
  spacingMs: number,
  idTagPrefix: string,
  firstCharger = 0,
) {
  const rtts: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const client = direct.clients[(firstCharger + index) % direct.clients.length]!;
    const id = direct.ids[(firstCharger + index) % direct.ids.length]!;
    const requestId = randomUUID();
    const sentAt = performance.now();
    pending.push(
      Promise.race([
        new Promise<number>((resolve) => direct.waiting.set(requestId, resolve)),
        sleep(30_000).then(() => Number.NaN),
      ]).then((answeredAt) => {
        direct.waiting.delete(requestId);
        if (Number.isFinite(answeredAt)) rtts.push(answeredAt - sentAt);
        else errors++;
      }),
    );
    client.publish(
      chargerTopic('transactionStart', id),
      JSON.stringify({
        requestId,
        connectorId: 1,
        idTag: `${idTagPrefix}${index}`,
        meterStart: 1_000 * index,
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    await sleep(spacingMs);
  }
  await Promise.all(pending);
  return summary(rtts, errors);
}

export async function measureGateway(context: BenchContext): Promise<GatewayResult> {
  const chargers = context.quick ? 100 : GATEWAY_TARGETS.connected;
  const heartbeatIntervalS = context.quick ? 4 : 300;
  const windowS = context.quick ? 4 : 120;
  const starts = context.quick ? 10 : 200;
  const spacingMs = 50;
  const gatewayId = 'gw-bench';
  const gatewayPassword = randomUUID();
  const cloud = await startLocalCloud({
    services: ['charge-authorization'],
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0 },
    tableName: `bench-gateway-${randomUUID().slice(0, 8)}`,
    quiet: true,
    functionLogs: 'discard',
    gateways: [{ gatewayId, password: gatewayPassword }],
  });
  let gateway: OcppGatewayProcess | undefined;
  let fleet: Fleet | undefined;
  let direct: DirectChargers | undefined;
  try {
    context.progress(`gateway: registering ${chargers} OCPP chargers`);
    // One AuthorizationKey for the whole fleet, hashed once: every handshake still verifies it (scrypt).
    const authorizationKey = randomUUID().replaceAll('-', '');
    const keyHash = await hashCredential(authorizationKey);
    const ids = Array.from({ length: chargers }, (_, index) => `GW-BENCH-${String(index).padStart(5, '0')}`);
    await inPool(ids, 16, async (id) => {
      await registerChargerLocally(cloud.table, { chargerId: id, connectorCount: 1, now: new Date() });
      await assignChargerToGateway(cloud.table, id, gatewayId);
      await setOcppCredentialHash(cloud.table, id, keyHash);
    });
    await inPool(
      Array.from({ length: starts }, (_, index) => index),
      16,
      async (index) => {
        await addIdTag(cloud.table, { idTag: `BENCH-GW-${index}`, userId: 'bench' });
        await addIdTag(cloud.table, { idTag: `BENCH-DIRECT-${index}`, userId: 'bench' });
        if (index < 3) await addIdTag(cloud.table, { idTag: `BENCH-WARMUP-${index}`, userId: 'bench' });
      },
    );

    // One charger per request, as through the gateway (each StartTransaction on its own charger's link): a few
    // links reused hundreds of times would measure TCP's delayed ACKs instead of the cloud.
    direct = await connectDirect(
      cloud,
      // …and three more for the warm-up.
      Array.from({ length: starts + 3 }, (_, index) => `GW-DIRECT-${String(index).padStart(4, '0')}`),
    );
    const loopDelays: { at: number; p99: number; max: number; gcMaxMs: number; gcTotalMs: number }[] = [];
    gateway = await startOcppGateway({
      port: 0,
      mqttUrl: cloud.endpoints.mqttUrl,
      tableName: cloud.table.tableName,
      env: cloud.env,
      gatewayId,
      password: gatewayPassword,
      settings: { METRICS_INTERVAL_MS: '5000' },
      onLog: (line) => {
        if (!line.includes('"gateway metrics"')) return;
        try {
          const { eventLoopDelayMs, gcPauses } = JSON.parse(line) as {
            eventLoopDelayMs: { p99: number; max: number };
            gcPauses: { maxMs: number; totalMs: number };
          };
          loopDelays.push({
            at: Date.now(),
            ...eventLoopDelayMs,
            gcMaxMs: gcPauses.maxMs,
            gcTotalMs: gcPauses.totalMs,
          });
        } catch {
          // A line split across two chunks: one sample fewer.
        }
      },
    });
    await sleep(1_000);
    const rssBefore = rssOf(gateway.pid);
    fleet = new Fleet();
    context.progress(`gateway: connecting ${chargers} chargers`);
    const ramp = await fleet.ask(
      {
        type: 'connect',
        baseUrl: gateway.baseUrl,
        chargers: ids.map((id) => ({ id, password: authorizationKey })),
        concurrency: 32,
        heartbeatIntervalMs: heartbeatIntervalS * 1000,
      },
      'connected',
    );
    context.progress(
      `gateway: ${ramp.connected} connected in ${round(ramp.rampMs / 1000)} s (${ramp.failed} failed${ramp.firstError ? `: ${ramp.firstError}` : ''})`,
    );

    // Heartbeats alone first: the fleet's steady state, nothing else on the gateway.
    const windowStart = Date.now();
    context.progress(`gateway: heartbeats for ${windowS} s`);
    await sleep(windowS * 1000);
    const beats = await fleet.ask({ type: 'heartbeats', sinceMs: windowStart }, 'heartbeats');
    const windowDelays = loopDelays.filter((sample) => sample.at > windowStart + 5_000);
    // charge-authorization imports its bundle on its first message (a cold start): not part of either figure.
    await directStarts(direct, 3, spacingMs, 'BENCH-WARMUP-', starts);
    context.progress(`gateway: ${starts} StartTransactions through the gateway`);
    const started = await fleet.ask(
      { type: 'startTransactions', count: starts, idTag: 'BENCH-GW-', spacingMs },
      'startTransactions',
    );
    context.progress(`gateway: ${starts} transaction/start straight over MQTT`);
    const directRtt = await directStarts(direct, starts, spacingMs, 'BENCH-DIRECT-');
    const rssAfter = rssOf(gateway.pid);
    const startRtt = summary(started.rttMs, started.errors.length);
    if (started.errors.length)
      context.progress(`gateway: StartTransaction errors: ${started.errors.slice(0, 3).join(', ')}`);
    return {
      chargers,
      connected: beats.open,
      failed: ramp.failed,
      rampS: round(ramp.rampMs / 1000),
      heartbeatIntervalS,
      windowS,
      rssBeforeMb: round(rssBefore / 2 ** 20),
      rssAfterMb: round(rssAfter / 2 ** 20),
      rssPerChargerKb: beats.open ? round((rssAfter - rssBefore) / 1024 / beats.open) : Number.NaN,
      heartbeatRttMs: summary(beats.rttMs, beats.errors),
      gatewayEventLoopDelayMs: {
        p99: windowDelays.length ? Math.max(...windowDelays.map((sample) => sample.p99)) : Number.NaN,
        max: windowDelays.length ? Math.max(...windowDelays.map((sample) => sample.max)) : Number.NaN,
      },
      gatewayGcPauseMs: {
        max: windowDelays.length ? Math.max(...windowDelays.map((sample) => sample.gcMaxMs)) : Number.NaN,
        total: windowDelays.reduce((sum, sample) => sum + sample.gcTotalMs, 0),
      },
      startTransactionRttMs: startRtt,
      directMqttStartRttMs: directRtt,
      startRatioP50: ratio(startRtt.p50, directRtt.p50),
      targets: GATEWAY_TARGETS,
    };
  } finally {
    await Promise.all((direct?.clients ?? []).map((client) => client.endAsync().catch(() => undefined)));
    await fleet?.close();
    await gateway?.stop();
    await cloud.stop();
  }
}
