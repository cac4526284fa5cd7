import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { addIdTag, registerCharger } from '@evcharge/dynamo';
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
export const COLD_TARGET_RATIO = 1.3;

export interface ColdRun {
  /** Spawn → exit, as the parent sees it: Node bootstrap + import + first invocation + exit. */
  processMs: number;
  bootMs: number;
  initMs: number;
  invokeMs: number;
  failed?: string;
}

export interface ColdStartRow {
  id: string;
  bytes: number;
  shippedBytes?: number;
  attribution: Record<string, number>;
  runs: number;
  processMs: number;
  initMs: number;
  invokeMs: number;
  /** Median process time over the baseline's. */
  processRatio: number;
  bytesRatio: number;
  meetsSize: boolean;
  meetsRatio: boolean;
  failures: string[];
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
    id: 'probe: zod (one object schema, imported as our code does)',
    input: {
      contents:
        "import * as z from 'zod';\nconst schema = z.object({ at: z.string() });\nexport const handler = async () => schema.safeParse({ at: 'x' }).success;",
      resolveDir: 'packages/domain',
    },
  },
  {
    id: 'probe: @evcharge/domain (zod + contract schemas)',
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

function eventFactory(fn: FunctionEntry): () => unknown {
  let sequence = 0;
  const now = () => Date.now() + sequence++ * 61_000;
  switch (`${fn.service}.${fn.name}`) {
    case 'charge-authorization.authorize':
      return () => authEvent(CHARGER, now(), ID_TAG);
    case 'heartbeat.heartbeat':
      return () => heartbeatEvent(CHARGER, now());
    case 'heartbeat.presence':
      return () => presenceEvent(CHARGER, now(), Date.now() + sequence);
    case 'metering.ingestReading':
      return () => meterEvent(CHARGER, now(), 1000 + sequence * 10);
    case 'plug-events.plug':
      return () => plugEvent(CHARGER, now(), sequence % 2 === 0 ? 'plugged' : 'unplugged', 2);
    case 'notifications.notify':
      return () => sessionCompletedStreamEvent();
    case 'metering.getSession':
      return () => sampleEvent('metering', 'get-session.json');
    case 'metering.listMySessions':
      return () => sampleEvent('metering', 'list-my-sessions.json');
    case 'metering.createMeterRequest':
      return () => sampleEvent('metering', 'create-meter-request.json');
    default:
      // Schedules: the handlers ignore the event body.
      return () => sampleEvent('heartbeat', 'sweeper.json');
  }
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

export async function measureColdStarts(context: BenchContext): Promise<ColdStartResult> {
  const runs = context.quick ? 3 : 10;
  const seedAt = new Date();
  await registerCharger(context.table, { chargerId: CHARGER, connectorCount: 2, now: seedAt });
  await addIdTag(context.table, { idTag: ID_TAG, userId: 'bench-user' });

  const functions: FunctionEntry[] = [
    ...discoverFunctions(),
    ...probes.map((probe) => ({ service: 'probe', name: probe.id, entry: '', handlerExport: 'handler' })),
  ];
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
  const factories = new Map(functions.map((fn) => [`${fn.service}.${fn.name}`, eventFactory(fn)]));
  // Interleaved rounds, so drift in the machine's speed hits the baseline and the functions alike.
  for (let round = 0; round < runs; round++) {
    baselineRuns.push(await runCold(baselineBundle.outfile, 'handler', env, {}, 'baseline'));
    for (const fn of functions) {
      const id = `${fn.service}.${fn.name}`;
      const run = await runCold(bundles.get(id)!.outfile, fn.handlerExport, env, factories.get(id)!(), id);
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
    return {
      id,
      bytes: built.bytes,
      ...(shippedBytes !== undefined ? { shippedBytes } : {}),
      attribution: built.attribution,
      runs: measured.length,
      processMs,
      initMs: round(median(measured.map((run) => run.initMs))),
      invokeMs: round(median(measured.map((run) => run.invokeMs))),
      processRatio,
      bytesRatio: ratio(built.bytes, baseline.bytes),
      meetsSize: built.bytes <= BUNDLE_TARGET_BYTES,
      meetsRatio: processRatio <= COLD_TARGET_RATIO,
      failures: [...new Set(measured.flatMap((run) => (run.failed ? [run.failed.slice(0, 200)] : [])))],
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
