import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  addIdTag,
  createCommand,
  entities,
  itemOf,
  registerCharger,
  type TableContext,
} from '@evcharge/dynamo';
import {
  type BundleInput,
  type BundleResult,
  bundle,
  discoverFunctions,
  type FunctionEntry,
  shippedHandlerBytes,
} from './bundles.js';
import type { BenchContext } from './context.js';
import {
  authEvent,
  heartbeatEvent,
  meterEvent,
  plugEvent,
  presenceEvent,
  sampleEvent,
  sessionCompletedStreamEvent,
} from './events.js';
import { benchDir } from './paths.js';
import { median, ratio, round } from './stats.js';

// Group 1: bundle size and cold init + first invocation of every function in a fresh Node 22 process,
// against the baseline of an empty handler bundled with the same esbuild settings.

export const BUNDLE_TARGET_BYTES = 300 * 1024;
/** Met when either holds: ≤ 2.0× the empty handler or ≤ 80 ms over it, whichever is looser on the machine. */
export const COLD_TARGET_RATIO = 2.0;
export const COLD_TARGET_OVER_MS = 80;

export interface ColdRun {
  /** Spawn → exit, as the parent sees it: Node bootstrap + import + first invocation + exit. */
  processMs: number;
  bootMs: number;
  initMs: number;
  invokeMs: number;
  /** The handler threw, refused its event, or reported failed batch items or a 5xx. */
  failed?: string;
  /** A non-failing answer worth naming (an HTTP 4xx). */
  outcome?: string;
}

export interface ColdStartRow {
  id: string;
  /** Loaded by a cold start: the entry and its static chunks. */
  bytes: number;
  /** Chunks loaded only when first needed (a dynamic import), e.g. the SQS client of the dead-letter sink. */
  lazyBytes: number;
  shippedBytes?: number;
  attribution: Record<string, number>;
  runs: number;
  processMs: number;
  initMs: number;
  invokeMs: number;
  /** Median process time over the baseline's. */
  processRatio: number;
  /** Median process time minus the baseline's. */
  overBaselineMs: number;
  bytesRatio: number;
  meetsSize: boolean;
  /** ≤ COLD_TARGET_RATIO× or ≤ COLD_TARGET_OVER_MS over the baseline, and no run failed. */
  meetsRatio: boolean;
  /** Some run failed (see failures): its time is not the function's cold start. */
  failed: boolean;
  failures: string[];
  outcomes: string[];
}

export interface ColdStartResult {
  baseline: { bytes: number; processMs: number; initMs: number; invokeMs: number };
  functions: ColdStartRow[];
  /** One dependency alone, bundled and measured the same way: where import and first-call time go. */
  probes: ColdStartRow[];
}

interface Probe {
  id: string;
  input: BundleInput;
}

const probes: Probe[] = [
  {
    // Classic zod, which the contract used before zod/mini: kept to show what the tree-shakeable form saves.
    id: 'probe: zod classic (one object schema)',
    input: {
      contents:
        "import * as z from 'zod';\nconst schema = z.object({ at: z.string() });\nexport const handler = async () => schema.safeParse({ at: 'x' }).success;",
      resolveDir: 'packages/domain',
    },
  },
  {
    id: 'probe: zod/mini (the same schema, imported as our code does)',
    input: {
      contents:
        "import * as z from 'zod/mini';\nconst schema = z.object({ at: z.string() });\nexport const handler = async () => schema.safeParse({ at: 'x' }).success;",
      resolveDir: 'packages/domain',
    },
  },
  {
    id: 'probe: @evcharge/domain (zod/mini + every contract schema)',
    input: {
      contents:
        "import * as domain from '@evcharge/domain';\nexport const handler = async () => Object.keys(domain).length;",
      resolveDir: 'services/heartbeat',
    },
  },
  {
    id: 'probe: Powertools Logger (one log line)',
    input: {
      contents:
        "import { Logger } from '@aws-lambda-powertools/logger';\nconst logger = new Logger({ serviceName: 'probe' });\nexport const handler = async () => logger.warn('probe');",
      resolveDir: 'packages/middleware',
    },
  },
  {
    id: 'probe: DynamoDB document client (one GetItem)',
    input: {
      contents: [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
        'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
        "export const handler = async () => client.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: 'probe', sk: 'probe' } }));",
      ].join('\n'),
      resolveDir: 'bench',
    },
  },
];

const CHARGER = 'CP-BENCH-COLD';
const ID_TAG = 'TAG-BENCH-COLD';

type EventFactory = () => unknown | Promise<unknown>;

/** A service's sample event with the bench charger and fresh ids, so every run is a new message for it. */
function freshSample(service: string, file: string, fields: Record<string, unknown> = {}): () => unknown {
  const text = JSON.stringify(sampleEvent(service, file));
  return () => {
    const ids = new Map<string, string>();
    const fresh = text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
        if (!ids.has(id)) ids.set(id, randomUUID());
        return ids.get(id)!;
      })
      .replace(/"(chargerId|clientId)":"[^"]*"/g, `"$1":"${CHARGER}"`);
    return { ...(JSON.parse(fresh) as Record<string, unknown>), ...fields };
  };
}

/** An answer to a command the bench just sent the charger (seeded), as the IoT rule delivers it. */
async function commandAnswer(table: TableContext): Promise<unknown> {
  const requestId = randomUUID();
  const now = Date.now();
  await createCommand(table, {
    chargerId: CHARGER,
    requestId,
    action: 'Reset',
    payload: { type: 'Soft' },
    state: 'pending',
    sentAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
  });
  return freshSample('heartbeat', 'command-response.json', {
    requestId,
    at: new Date(now).toISOString(),
    receivedAt: now,
  })();
}

/** An answer to a remote start the bench just requested (seeded pending), as the IoT rule delivers it. */
async function remoteStartAnswer(table: TableContext): Promise<unknown> {
  const requestId = randomUUID();
  const now = Date.now();
  const request = {
    requestId,
    action: 'start' as const,
    chargerId: CHARGER,
    connectorId: 1,
    userId: 'bench-user',
    idTag: ID_TAG,
    status: 'pending' as const,
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
  };
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: itemOf(entities.remoteRequest, request) }),
  );
  return freshSample('metering', 'remote-response.json', {
    requestId,
    at: new Date(now).toISOString(),
    receivedAt: now,
  })();
}

/**
 * Each function's event as its own trigger delivers it (IoT rule SELECT output, SQS batch, HTTP API, stream,
 * schedule). A function missing here gets its trigger kind's generic event when there is one (schedules
 * ignore the body); otherwise its row is reported as failed, so a new function cannot be measured on a
 * wrong event silently. Add a line here for each new function.
 */
function eventFactory(fn: FunctionEntry, table: TableContext): EventFactory | undefined {
  let sequence = 0;
  const now = () => Date.now() + sequence++ * 61_000;
  const factories: Record<string, EventFactory> = {
    'charge-authorization.authorize': () => authEvent(CHARGER, now(), ID_TAG),
    'charge-authorization.authorize-id-tag': freshSample('charge-authorization', 'authorize-id-tag.json'),
    'charge-authorization.transaction-start': freshSample('charge-authorization', 'transaction-start.json'),
    'charge-authorization.transaction-stop': freshSample('charge-authorization', 'transaction-stop.json'),
    'heartbeat.heartbeat': () => heartbeatEvent(CHARGER, now()),
    'heartbeat.boot': freshSample('heartbeat', 'boot.json'),
    'heartbeat.firmware-status': freshSample('heartbeat', 'firmware-status.json'),
    'heartbeat.diagnostics-status': freshSample('heartbeat', 'diagnostics-status.json'),
    'heartbeat.command-response': () => commandAnswer(table),
    'heartbeat.presence': () => presenceEvent(CHARGER, now(), Date.now() + sequence),
    'metering.ingestReading': () => meterEvent(CHARGER, now(), 1000 + sequence * 10),
    'metering.getSession': () => sampleEvent('metering', 'get-session.json'),
    'metering.listMySessions': () => sampleEvent('metering', 'list-my-sessions.json'),
    'metering.createMeterRequest': () => sampleEvent('metering', 'create-meter-request.json'),
    'metering.createRemoteStart': () => sampleEvent('metering', 'create-remote-start.json'),
    'metering.createRemoteStop': () => sampleEvent('metering', 'create-remote-stop.json'),
    'metering.recordRemoteResponse': () => remoteStartAnswer(table),
    // An SQS consumer: one timer message per batch, as the queue delivers it.
    'metering.meterRequestTimer': freshSample('metering', 'meter-request-timer.json'),
    'notifications.notify': () => sessionCompletedStreamEvent(),
    'plug-events.plug': () => plugEvent(CHARGER, now(), sequence % 2 === 0 ? 'plugged' : 'unplugged', 2),
    'plug-events.status': freshSample('plug-events', 'status-faulted.json'),
    'telemetry.analyse': () => sampleEvent('telemetry', 'analyse.json'),
  };
  const own = factories[`${fn.service}.${fn.name}`];
  if (own) return own;
  if (fn.trigger === 'schedule') return () => sampleEvent('heartbeat', 'sweeper.json');
  // An HTTP API request of a signed-in user (its route may answer 4xx, reported beside the row).
  if (fn.trigger === 'httpApi') return () => sampleEvent('metering', 'list-my-sessions.json');
  if (fn.service === 'probe' || fn.service === 'baseline') return () => ({});
  return undefined;
}

function runCold(
  bundleFile: string,
  handlerExport: string,
  env: Record<string, string>,
  event: unknown,
  functionName: string,
): Promise<ColdRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(benchDir, 'src', 'cold-runner.mjs'), bundleFile, handlerExport],
      {
        // A clean environment: only PATH and what the function gets on Lambda.
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          BENCH_EVENT: JSON.stringify(event),
          BENCH_FUNCTION_NAME: functionName,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(killer);
      const processMs = performance.now() - started;
      const line = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
      if (!line) {
        reject(new Error(`cold run of ${bundleFile} printed no result: ${stderr.slice(-500)}`));
        return;
      }
      resolve({
        processMs,
        ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as Omit<ColdRun, 'processMs'>),
      });
    });
  });
}

/** `only`: the functions and probes whose ids (service.function, probe.name) contain one of these. */
export async function measureColdStarts(context: BenchContext, only?: string[]): Promise<ColdStartResult> {
  const runs = context.quick ? 3 : 10;
  const seedAt = new Date();
  await registerCharger(context.table, { chargerId: CHARGER, connectorCount: 2, now: seedAt });
  await addIdTag(context.table, { idTag: ID_TAG, userId: 'bench-user' });

  const functions: FunctionEntry[] = [
    ...discoverFunctions(),
    ...probes.map((probe) => ({ service: 'probe', name: probe.id, entry: '', handlerExport: 'handler' })),
  ].filter((fn) => !only || only.some((part) => `${fn.service}.${fn.name}`.includes(part)));
  const baselineBundle = await bundle('baseline', 'bench/src/fixtures/empty-handler.ts');
  const bundles = new Map<string, BundleResult>();
  for (const fn of functions) {
    const probe = probes.find((candidate) => candidate.id === fn.name);
    const id = `${fn.service}.${fn.name}`;
    bundles.set(
      id,
      await bundle(
        probe ? `probe-${probes.indexOf(probe)}` : id,
        probe ? probe.input : fn.entry,
        probe ? undefined : fn.service,
      ),
    );
  }

  const env = context.functionEnv;
  const baselineRuns: ColdRun[] = [];
  const functionRuns = new Map<string, ColdRun[]>();
  const factories = new Map(
    functions.map((fn) => [`${fn.service}.${fn.name}`, eventFactory(fn, context.table)]),
  );
  // Interleaved rounds, so drift in the machine's speed hits the baseline and the functions alike.
  for (let round = 0; round < runs; round++) {
    baselineRuns.push(await runCold(baselineBundle.outfile, 'handler', env, {}, 'baseline'));
    for (const fn of functions) {
      const id = `${fn.service}.${fn.name}`;
      const factory = factories.get(id);
      const event = factory ? await factory() : {};
      const run = await runCold(bundles.get(id)!.outfile, fn.handlerExport, env, event, id);
      if (!factory) run.failed = `no ${fn.trigger ?? 'trigger'} event for it in the bench (eventFactory)`;
      functionRuns.set(id, [...(functionRuns.get(id) ?? []), run]);
    }
    context.progress(`cold start round ${round + 1}/${runs}`);
  }

  const baseline = {
    bytes: baselineBundle.bytes,
    processMs: round(median(baselineRuns.map((run) => run.processMs))),
    initMs: round(median(baselineRuns.map((run) => run.initMs)), 2),
    invokeMs: round(median(baselineRuns.map((run) => run.invokeMs)), 2),
  };
  const rows = functions.map((fn): ColdStartRow => {
    const id = `${fn.service}.${fn.name}`;
    const built = bundles.get(id)!;
    const measured = functionRuns.get(id) ?? [];
    const processMs = round(median(measured.map((run) => run.processMs)));
    const shippedBytes = shippedHandlerBytes(fn.service, fn.name);
    const processRatio = ratio(processMs, baseline.processMs);
    const overBaselineMs = round(processMs - baseline.processMs);
    const failures = [...new Set(measured.flatMap((run) => (run.failed ? [run.failed.slice(0, 200)] : [])))];
    return {
      id,
      bytes: built.bytes,
      lazyBytes: built.allBytes - built.bytes,
      ...(shippedBytes !== undefined ? { shippedBytes } : {}),
      attribution: built.attribution,
      runs: measured.length,
      processMs,
      initMs: round(median(measured.map((run) => run.initMs))),
      invokeMs: round(median(measured.map((run) => run.invokeMs))),
      processRatio,
      overBaselineMs,
      bytesRatio: ratio(built.bytes, baseline.bytes),
      meetsSize: built.bytes <= BUNDLE_TARGET_BYTES,
      meetsRatio:
        failures.length === 0 && (processRatio <= COLD_TARGET_RATIO || overBaselineMs <= COLD_TARGET_OVER_MS),
      failed: failures.length > 0,
      failures,
      outcomes: [...new Set(measured.flatMap((run) => (run.outcome ? [run.outcome] : [])))],
    };
  });
  return {
    baseline,
    functions: rows.filter((row) => !row.id.startsWith('probe.')),
    probes: rows
      .filter((row) => row.id.startsWith('probe.'))
      .map((row) => ({ ...row, id: row.id.slice('probe.'.length) })),
  };
}
