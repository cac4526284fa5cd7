import { cpus, totalmem } from 'node:os';
import type { ColdStartResult } from './cold-start.js';
import { BUNDLE_TARGET_BYTES, COLD_TARGET_OVER_MS, COLD_TARGET_RATIO } from './cold-start.js';
import {
  AWS_LATENCY_MS,
  COST_TARGET_USD,
  type CostResult,
  FULL_VCPU_MEMORY_MB,
  PLATFORM_LOG_BYTES_AT_INFO,
} from './cost.js';
import type { OpsRow } from './dynamo-ops.js';
import type { GatewayResult } from './gateway.js';
import { PIPELINE_TARGET_RATIO, type PipelineResult } from './pipeline.js';
import { OCPP_GATEWAY_SAMPLE, PRICES_AS_OF, PRICES_REGION } from './prices.js';
import type { StartupResult } from './startup.js';
import type { SweeperRow } from './sweeper.js';
import type { TelemetryBenchResult } from './telemetry.js';
import type { TelemetryCost } from './telemetry-cost.js';

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
  gateway?: GatewayResult;
  telemetry?: TelemetryBenchResult;
  /** The archive and analysis path per charger-month, apart from `cost` (optional per deploy). */
  telemetryCost?: TelemetryCost;
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
        'ms over baseline',
        `≤ ${COLD_TARGET_RATIO}× or ≤ ${COLD_TARGET_OVER_MS} ms over`,
        'cold ms',
        'import ms',
        'first invoke ms',
        'bundle (loaded at start)',
        `≤ ${kb(BUNDLE_TARGET_BYTES)}`,
        'in sls zip',
        'size × baseline',
      ],
      cold.functions.map((row) => [
        row.failed ? `${row.id} — **failed**` : row.id,
        x(row.processRatio),
        `+${row.overBaselineMs}`,
        mark(row.meetsRatio),
        row.processMs,
        row.initMs,
        row.invokeMs,
        row.lazyBytes > 0 ? `${kb(row.bytes)} (+${kb(row.lazyBytes)} lazy)` : kb(row.bytes),
        mark(row.meetsSize),
        row.shippedBytes === undefined ? '—' : kb(row.shippedBytes),
        x(row.bytesRatio),
      ]),
    ),
    '',
    "What the bytes loaded at start are (esbuild metafile, bytes in the minified output; chunks loaded only by a dynamic import, such as the dead-letter sink's SQS client, are counted apart as lazy):",
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
    ...(cold.functions.some((row) => row.outcomes.length > 0)
      ? [
          '',
          `Answers that are not failures: ${cold.functions.flatMap((row) => row.outcomes.map((outcome) => `${row.id}: ${outcome}`)).join('; ')}`,
        ]
      : []),
    ...(cold.functions.some((row) => row.failures.length > 0)
      ? [
          '',
          `**Failed rows** (the handler threw, refused its event or failed batch items; their time is not the function's cold start, and they count as missed): ${cold.functions.flatMap((row) => row.failures.map((failure) => `${row.id}: ${failure}`)).join('; ')}`,
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
        'log B (lines)',
        'warm ms (CPU ms)',
      ],
      rows.map((row) => [
        row.failed ? `${row.message} — **failed**: ${row.failed}` : row.message,
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
        `${row.logBytes} (${row.logEvents})`,
        `${row.durationMs} (CPU ${row.cpuMs})`,
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
    `${p.chargers} chargers (mqtt.js), at most ${p.window} messages in flight, ${p.phaseMs / 1000} s per phase. Baselines in the same run: raw aedes publish→subscribe ${p.baselines.rawBrokerPerS} msg/s; the heartbeat handler's own DynamoDB commands (${Object.entries(
      p.baselines.replayedCommandsPerHeartbeat,
    )
      .map(([name, count]) => `${name} ×${count}`)
      .join(
        ', ',
      )} per heartbeat, captured from the real handler by a client middleware) replayed raw at the same concurrency with the handlers' client settings, after a warm-up: ${p.baselines.replayedHeartbeatPerS} heartbeats/s (median of 3 rounds, ${p.baselines.replayErrors} replay errors${p.baselines.replayErrors > 0 ? `: ${JSON.stringify(p.baselines.replayErrorNames)}` : ''}).`,
    '',
    `Replay and heartbeat phase alternated: ${p.heartbeatRounds.map((entry, index) => `round ${index + 1} ${entry.pipelinePerS}/${entry.replayPerS} = ${x(entry.ratio)}`).join('; ')}. The heartbeat ratio is the median of these pairs; spread ${x(p.heartbeat.ratioSpread[0])}–${x(p.heartbeat.ratioSpread[1])}.`,
    '',
    table(
      [
        'workload',
        '× replayed heartbeat/s',
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
          `${x(p.heartbeat.ratioToReplay)} (${x(p.heartbeat.ratioSpread[0])}–${x(p.heartbeat.ratioSpread[1])})`,
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
          x(p.mixed.ratioToReplay),
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
    `From the counts, capacity, log output and CPU time of group 2. Assumptions: heartbeat every ${a.heartbeatIntervalS} s, meter reading every ${a.meterIntervalS} s, ${a.sessionsPerDay} sessions a day of ${a.sessionHours} h each, ${a.reconnectsPerDay} reconnect a day, sweepers shared over ${a.fleetSize} chargers, ${a.streamRecordsPerNotifyInvocation} stream record per notify invocation, Lambda arm64 at each function's configured memory (${cost.memoryMb} MB unless it sets its own) billed for the CPU time each invocation took here scaled by ${FULL_VCPU_MEMORY_MB} MB / memory (Lambda's CPU share) plus assumed round trips on AWS (DynamoDB ${AWS_LATENCY_MS.dynamodbRequest} ms a request, ${AWS_LATENCY_MS.dynamodbTransaction} ms a transaction, ${AWS_LATENCY_MS.publish} ms an SNS/IoT publish), CloudWatch Logs from the lines each function wrote at the deploy's application log level plus 26 B per event, system log level ${a.systemLogLevel} (${a.systemLogLevel === 'WARN' ? 'no START/END/REPORT lines' : `${PLATFORM_LOG_BYTES_AT_INFO} B of platform lines per invocation`}). \`cost.totalUsd\` in latest.json is the total below.`,
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
    `Total × the AWS OCPP gateway sample's ~$${OCPP_GATEWAY_SAMPLE.usdPerChargerMonth}: ${x(cost.ratioToOcppSample)}. Target ≤ $${COST_TARGET_USD}: ${mark(cost.meetsTarget)}. Notify invocations per charger-month: ${Math.round(cost.notifyInvocations)}; notifications published: ${Math.round(cost.notifications)} (\`streamRecords\` in src/cost.ts models the records its stream filter lets through; at ${cost.assumptions.streamRecordsPerNotifyInvocation} record per invocation, the two are equal when every record that passes publishes).`,
    '',
    table(
      ['option', '× default', 'USD per charger-month'],
      cost.options.map((option) => [option.option, x(option.ratioToDefault), usd(option.totalUsd)]),
    ),
  ].join('\n');
}

function telemetrySection(t: TelemetryBenchResult): string {
  const f = t.fleet;
  return [
    '## 7. Telemetry archive: named queries (DuckDB in process) over a generated fleet-month',
    '',
    `${f.chargers} chargers × ${f.days} days (heartbeat every ${f.heartbeatIntervalS} s, reading every ${f.meterIntervalS} s, ${f.sessionsPerDay} sessions a day): ${f.messages} messages in ${f.objects} GZIP objects, ${f.rawMb} MB of JSON, ${f.gzipMb} MB stored; generated in ${t.generateS} s. Each query over the whole span (day partitions from the first to the last day), in order, one run each.`,
    '',
    table(
      ['query', 'ms', 'rows'],
      t.queries.map((query) => [query.query, num(query.ms), query.rows]),
    ),
    '',
    `Archive throughput through the local Firehose (telemetry's delivery stream as \`npm start\` runs it: jq-web for the partition query, buffering, GZIP; one hour of a ${t.archive.chargers}-charger fleet, ${t.archive.records} records, ${t.archive.mb} MB, ${t.archive.objects} objects): **${num(t.archive.perS)} records/s**, against ${num(t.archive.baselinePerS)} records/s for the same records parsed, grouped and gzipped without JQ (${x(t.archive.ratio)}).`,
  ].join('\n');
}

function telemetryCostSection(c: TelemetryCost): string {
  return [
    `## 4b. Telemetry path cost per charger-month (optional per deploy; list prices ${PRICES_AS_OF}, ${PRICES_REGION})`,
    '',
    `Fleet of ${c.assumptions.fleetSize} chargers, ${c.assumptions.archivedMessages} archived and ${c.assumptions.analysedMessages} analysed messages per charger-month, ${c.assumptions.recordBytes} B a record${c.measured ? ' (measured in group 7)' : ' (assumed: group 7 did not run)'}. Not in \`cost.totalUsd\`.`,
    '',
    table(
      ['line', 'quantity', 'USD'],
      [
        ...c.lines.map((line) => [
          line.line,
          `${Math.round(line.quantity * 100) / 100} ${line.unit}`,
          usd(line.usd),
        ]),
        ['**total**', '', `**${usd(c.totalUsd)}**`],
      ],
    ),
    '',
    table(
      ['option', 'USD per charger-month'],
      c.options.map((option) => [option.option, usd(option.totalUsd)]),
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

function gatewaySection(g: GatewayResult): string {
  const ms = (value: number) => (Number.isFinite(value) ? `${value} ms` : 'n/a');
  // A quick run's small fleet is not held to the full run's targets.
  const met = (ok: boolean) => (g.chargers < g.targets.connected ? 'n/a (quick)' : mark(ok));
  return [
    '## 6. OCPP gateway (one process; chargers and broker in other processes)',
    '',
    `${g.chargers} chargers, Heartbeat every ${g.heartbeatIntervalS} s with start times spread, Heartbeat RTT measured over ${g.windowS} s after the ramp with nothing else running, then the StartTransactions. RSS of the gateway process ${g.rssBeforeMb} MB before the fleet, ${g.rssAfterMb} MB with it.`,
    '',
    table(
      ['measure', 'value', 'target', 'met'],
      [
        [
          'connected',
          `${g.connected} (${g.failed} failed)`,
          `≥ ${g.targets.connected}`,
          met(g.connected >= g.targets.connected),
        ],
        ['ramp', `${g.rampS} s`, '', ''],
        [
          'RSS per connected charger',
          `${g.rssPerChargerKb} KB`,
          `≤ ${g.targets.rssPerChargerKb} KB`,
          met(g.rssPerChargerKb <= g.targets.rssPerChargerKb),
        ],
        [
          `Heartbeat RTT p99 (${g.heartbeatRttMs.samples} samples, p50 ${ms(g.heartbeatRttMs.p50)})`,
          ms(g.heartbeatRttMs.p99),
          `≤ ${g.targets.heartbeatP99Ms} ms`,
          met(g.heartbeatRttMs.p99 <= g.targets.heartbeatP99Ms),
        ],
        [
          "the gateway's event-loop delay in that window (worst 5 s p99 / max)",
          `${ms(g.gatewayEventLoopDelayMs.p99)} / ${ms(g.gatewayEventLoopDelayMs.max)}`,
          '',
          '',
        ],
        [
          "the gateway's GC pauses in that window (longest / sum)",
          `${ms(g.gatewayGcPauseMs.max)} / ${ms(g.gatewayGcPauseMs.total)}`,
          '',
          '',
        ],
        [
          `StartTransaction → answer through the gateway, p50 / p99 (${g.startTransactionRttMs.samples})`,
          `${ms(g.startTransactionRttMs.p50)} / ${ms(g.startTransactionRttMs.p99)}`,
          '',
          '',
        ],
        [
          `transaction/start straight over MQTT, p50 / p99 (${g.directMqttStartRttMs.samples})`,
          `${ms(g.directMqttStartRttMs.p50)} / ${ms(g.directMqttStartRttMs.p99)}`,
          'baseline',
          '',
        ],
        ['gateway p50 × direct p50', x(g.startRatioP50), '', ''],
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
    ...(results.telemetryCost ? [telemetryCostSection(results.telemetryCost), ''] : []),
    ...(results.startup ? [startupSection(results.startup), ''] : []),
    ...(results.gateway ? [gatewaySection(results.gateway), ''] : []),
    ...(results.telemetry ? [telemetrySection(results.telemetry), ''] : []),
  ].join('\n');
}
