import { cpus, totalmem } from 'node:os';
import type { ColdStartResult } from './cold-start.js';
import { BUNDLE_TARGET_BYTES, COLD_TARGET_RATIO } from './cold-start.js';
import { COST_TARGET_USD, type CostResult } from './cost.js';
import type { OpsRow } from './dynamo-ops.js';
import { PIPELINE_TARGET_RATIO, type PipelineResult } from './pipeline.js';
import { OCPP_GATEWAY_SAMPLE, PRICES_AS_OF, PRICES_REGION } from './prices.js';
import type { StartupResult } from './startup.js';
import type { SweeperRow } from './sweeper.js';

// Turns the results into latest.json's shape and the Markdown report (ratios first, baselines named).

export interface BenchResults {
  startedAt: string;
  durationS: number;
  mode: 'quick' | 'full';
  machine: { cpu: string; cores: number; memoryGb: number; node: string; platform: string };
  coldStart?: ColdStartResult;
  dynamoOps?: OpsRow[];
  sweeper?: SweeperRow[];
  pipeline?: PipelineResult;
  cost?: CostResult;
  startup?: StartupResult;
}

export function machine(): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : '**no**');
const usd = (value: number) => `$${value.toFixed(4)}`;
const num = (value: number) => (Number.isFinite(value) ? String(value) : 'n/a');

function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n');
}

function coldStartSection(cold: ColdStartResult): string {
  const b = cold.baseline;
  const origins = ['AWS SDK', 'zod', 'Powertools', 'middy', 'our code', 'other deps'];
  return [
    '## 1. Cold start per function',
    '',
    `Baseline: an empty handler bundled with the same esbuild settings: ${b.bytes} B, ${b.processMs} ms from spawn to exit (Node bootstrap ${'+'} import ${b.initMs} ms + invoke ${b.invokeMs} ms). Median of ${cold.functions[0]?.runs ?? 0} fresh Node processes each.`,
    '',
    table(
      [
        'function',
        'cold × baseline',
        `≤ ${COLD_TARGET_RATIO}×`,
        'cold ms',
        'import ms',
        'first invoke ms',
        'bundle',
        `≤ ${kb(BUNDLE_TARGET_BYTES)}`,
        'in sls zip',
        'size × baseline',
      ],
      cold.functions.map((row) => [
        row.id,
        x(row.processRatio),
        mark(row.meetsRatio),
        row.processMs,
        row.initMs,
        row.invokeMs,
        kb(row.bytes),
        mark(row.meetsSize),
        row.shippedBytes === undefined ? '—' : kb(row.shippedBytes),
        x(row.bytesRatio),
      ]),
    ),
    '',
    'What the bytes are (esbuild metafile, bytes in the minified output):',
    '',
    table(
      ['function', ...origins],
      cold.functions.map((row) => [
        row.id,
        ...origins.map((origin) => {
          const bytes = row.attribution[origin] ?? 0;
          return `${kb(bytes)} (${Math.round((bytes / row.bytes) * 100)}%)`;
        }),
      ]),
    ),
    '',
    'Where the time goes: one dependency alone, bundled and run the same way (cold × baseline, cold ms, import ms, first invoke ms, bundle):',
    '',
    table(
      ['probe', 'cold × baseline', 'cold ms', 'import ms', 'first invoke ms', 'bundle'],
      cold.probes.map((row) => [
        row.id,
        x(row.processRatio),
        row.processMs,
        row.initMs,
        row.invokeMs,
        kb(row.bytes),
      ]),
    ),
    ...(cold.functions.some((row) => row.failures.length > 0)
      ? [
          '',
          `Invocation errors (the handler threw): ${cold.functions.flatMap((row) => row.failures.map((failure) => `${row.id}: ${failure}`)).join('; ')}`,
        ]
      : []),
  ].join('\n');
}

function opsSection(rows: OpsRow[]): string {
  return [
    '## 2. DynamoDB operations per message (real handlers, DynamoDB Local, per invocation)',
    '',
    table(
      [
        'message',
        'target',
        'met',
        'reads',
        'writes',
        'transactions',
        'RCU',
        'WCU',
        'commands',
        'SNS',
        'IoT publish',
        'warm ms',
      ],
      rows.map((row) => [
        row.message,
        row.target ?? '',
        mark(row.meetsTarget),
        row.reads,
        row.writes,
        row.transactions,
        row.rcu,
        row.wcu,
        Object.entries(row.byCommand)
          .map(([name, count]) => `${name}×${count}`)
          .join(' '),
        row.snsPublishes,
        row.iotPublishes,
        row.durationMs,
      ]),
    ),
    '',
    'WCU includes index writes. A write refused by its condition is counted as 1 WCU, and a read request as at least 0.5 RCU (AWS bills both; DynamoDB Local reports nothing for them).',
  ].join('\n');
}

function sweeperSection(rows: SweeperRow[]): string {
  return [
    '## 2b. Offline sweeper read cost against fleet size (10 stale chargers each time)',
    '',
    table(
      [
        'fleet',
        'RCU × smallest fleet',
        'RCU × full scan',
        'sweeper RCU',
        'scan RCU (baseline)',
        'due',
        'marked offline',
      ],
      rows.map((row) => [
        row.fleet,
        x(row.ratioToSmallestFleet),
        x(row.ratioToScan),
        row.sweeperRcu,
        row.scanRcu,
        row.due,
        row.markedOffline,
      ]),
    ),
  ].join('\n');
}

function pipelineSection(p: PipelineResult): string {
  return [
    '## 3. Pipeline through the local cloud (MQTT → rule → handler → DynamoDB Local)',
    '',
    `${p.chargers} chargers (mqtt.js), at most ${p.window} messages in flight, ${p.phaseMs / 1000} s per phase. Baselines in the same run: raw aedes publish→subscribe ${p.baselines.rawBrokerPerS} msg/s, raw DynamoDB Local UpdateItem ${p.baselines.rawUpdateItemPerS}/s (mean of ${p.baselines.rawUpdateItemBeforePerS} before and ${p.baselines.rawUpdateItemAfterPerS} after the heartbeat phase; same client settings, same concurrency, a heartbeat-shaped update).`,
    '',
    table(
      [
        'workload',
        '× raw UpdateItem/s',
        'target',
        'sustained msg/s',
        'latency at msg/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'messages',
        'errors',
      ],
      [
        [
          'heartbeat only',
          x(p.heartbeat.ratioToRawUpdateItem),
          `≥ ${PIPELINE_TARGET_RATIO}× ${mark(p.heartbeat.meetsTarget)}`,
          p.heartbeat.sustainedPerS,
          p.heartbeat.latencyRatePerS,
          num(p.heartbeat.p50Ms),
          num(p.heartbeat.p95Ms),
          num(p.heartbeat.p99Ms),
          p.heartbeat.messages,
          p.heartbeat.errors,
        ],
        [
          `mixed (${Object.entries(p.mixed.counts)
            .map(([kind, count]) => `${kind} ${count}`)
            .join(', ')})`,
          x(p.mixed.ratioToRawUpdateItem),
          '',
          p.mixed.sustainedPerS,
          p.mixed.latencyRatePerS,
          num(p.mixed.p50Ms),
          num(p.mixed.p95Ms),
          num(p.mixed.p99Ms),
          p.mixed.messages,
          p.mixed.errors,
        ],
      ],
    ),
    '',
    `Heartbeat pipeline vs raw aedes: ${x(p.heartbeat.ratioToRawBroker)}. Auth round trip (publish → auth/response received), ${p.authRoundTrip.samples} sequential requests: p50 ${num(p.authRoundTrip.p50Ms)} ms, p99 ${num(p.authRoundTrip.p99Ms)} ms, ${p.authRoundTrip.timeouts} timeouts. Dead letters during the run: ${p.deadLetters}; failed invocations (retried) by function: ${JSON.stringify(p.errorsByFunction)}; stream records ${p.streamRecords} → ${p.notifyInvocations} notify invocations; ${p.notificationsPublished} notifications published.`,
  ].join('\n');
}

function costSection(cost: CostResult): string {
  const a = cost.assumptions;
  return [
    `## 4. Cost per charger-month (list prices ${PRICES_AS_OF}, ${PRICES_REGION}, no free tier)`,
    '',
    `From the counts, capacity and warm durations of group 2; heartbeat ${a.heartbeatIntervalS} s, meter ${a.meterIntervalS} s, ${a.sessionsPerDay} session/day of ${a.sessionHours} h, ${a.reconnectsPerDay} reconnect/day, sweepers shared over ${a.fleetSize} chargers, ${a.streamRecordsPerNotifyInvocation} stream records per notify invocation, Lambda ${cost.memoryMb} MB arm64.`,
    '',
    table(
      ['line', 'quantity', 'USD'],
      [
        ...cost.lines.map((line) => [
          line.line,
          `${Math.round(line.quantity * 100) / 100} ${line.unit}`,
          usd(line.usd),
        ]),
        ['**total**', '', `**${usd(cost.totalUsd)}**`],
      ],
    ),
    '',
    `Total × the AWS OCPP gateway sample's ~$${OCPP_GATEWAY_SAMPLE.usdPerChargerMonth}: ${x(cost.ratioToOcppSample)}. Target ≤ $${COST_TARGET_USD}: ${mark(cost.meetsTarget)}.`,
    '',
    table(
      ['option', '× default', 'USD per charger-month'],
      cost.options.map((option) => [option.option, x(option.ratioToDefault), usd(option.totalUsd)]),
    ),
  ].join('\n');
}

function startupSection(s: StartupResult): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    '## Local cloud start-up (`npm start -- --chargers 0`, command → ready line with every port answering)',
    '',
    table(
      [
        'start',
        'median',
        'target',
        'met',
        'every function imported, after ready (last run)',
        'phases printed (last run)',
      ],
      [
        [
          'first (config and bundle caches cleared)',
          seconds(s.firstReadyMs),
          `≤ ${seconds(s.targets.firstReadyMs)}`,
          mark(s.firstReadyMs <= s.targets.firstReadyMs),
          seconds(s.runs.first.at(-1)?.importsAfterReadyMs ?? 0),
          s.runs.first.at(-1)?.phases ?? '',
        ],
        [
          'warm (nothing changed)',
          seconds(s.warmReadyMs),
          `≤ ${seconds(s.targets.warmReadyMs)}`,
          mark(s.warmReadyMs <= s.targets.warmReadyMs),
          seconds(s.runs.warm.at(-1)?.importsAfterReadyMs ?? 0),
          s.runs.warm.at(-1)?.phases ?? '',
        ],
      ],
    ),
  ].join('\n');
}

export function markdownReport(results: BenchResults): string {
  const m = results.machine;
  return [
    `# Benchmark (${results.mode}) — ${results.startedAt}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}. Took ${results.durationS} s. Every ratio's baseline was measured in this same run.`,
    '',
    ...(results.coldStart ? [coldStartSection(results.coldStart), ''] : []),
    ...(results.dynamoOps ? [opsSection(results.dynamoOps), ''] : []),
    ...(results.sweeper ? [sweeperSection(results.sweeper), ''] : []),
    ...(results.pipeline ? [pipelineSection(results.pipeline), ''] : []),
    ...(results.cost ? [costSection(results.cost), ''] : []),
    ...(results.startup ? [startupSection(results.startup), ''] : []),
  ].join('\n');
}
