import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDocumentClient, createDynamoDbClient, ensureTable } from '@evcharge/dynamo';
import { startDynamoDbLocal } from '@evcharge/local-cloud/dynamodb-local';
import { measureColdStarts } from './cold-start.js';
import type { BenchContext } from './context.js';
import { costWithOptions } from './cost.js';
import { measureDynamoOps } from './dynamo-ops.js';
import { measureGateway } from './gateway.js';
import { loadHandlers } from './handlers.js';
import { resultsDir } from './paths.js';
import { measurePipeline } from './pipeline.js';
import { type BenchResults, machine, markdownReport } from './report.js';
import { measureStartup } from './startup.js';
import { round } from './stats.js';
import { functionEnvironment, startStubEndpoints } from './stub-endpoints.js';
import { measureSweeper } from './sweeper.js';
import { measureTelemetry } from './telemetry.js';
import { telemetryCost } from './telemetry-cost.js';

// `npm run bench -- [--quick] [--only cold,ops,sweeper,pipeline,cost,startup,gateway,telemetry] [--functions …]`:
// writes bench/results/latest.{json,md}.

const groups = ['cold', 'ops', 'sweeper', 'pipeline', 'cost', 'startup', 'gateway', 'telemetry'] as const;
const usage = `usage: npm run bench -- [--quick] [--only ${groups.join(',')}]
  --quick   CI mode: fewer runs, shorter phases; asserts nothing about speed
  --only    some groups only (cost implies ops)
  --functions  the cold-start group for these functions only (ids such as metering.ingestReading, or
               a part of one: --functions metering. --functions notify,authorize; probe. for the probes)
  writes bench/results/latest.json and latest.md (see bench/README.md)`;
type Group = (typeof groups)[number];

/** The value of `--name value` or `--name=value`. */
function optionValue(argv: string[], name: string): string | undefined {
  const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  return argv[index]!.includes('=') ? argv[index]!.split('=')[1] : argv[index + 1];
}

function parseArgs(argv: string[]): { quick: boolean; only: Set<Group>; functions?: string[] } {
  const quick = argv.includes('--quick');
  const onlyValue = optionValue(argv, '--only');
  const functionsValue = optionValue(argv, '--functions');
  const only = new Set((onlyValue ? onlyValue.split(',') : groups) as Group[]);
  for (const group of only)
    if (!groups.includes(group)) throw new Error(`unknown group "${group}" (${groups.join(', ')})`);
  // The cost model needs the measured operations.
  if (only.has('cost')) only.add('ops');
  return { quick, only, ...(functionsValue ? { functions: functionsValue.split(',') } : {}) };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage);
    return;
  }
  const { quick, only, functions } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => console.log(`[bench ${round((Date.now() - started) / 1000)}s] ${line}`);
  log(`mode ${quick ? 'quick' : 'full'}; groups ${[...only].join(', ')}`);

  const dynamo = await startDynamoDbLocal({ port: 0 });
  const stub = await startStubEndpoints();
  const tableName = `bench-${randomUUID().slice(0, 8)}`;
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationS: 0,
    mode: quick ? 'quick' : 'full',
    machine: machine(),
  };
  try {
    const admin = createDynamoDbClient({ endpoint: dynamo.endpoint });
    await ensureTable(admin, tableName);
    admin.destroy();
    const context: BenchContext = {
      quick,
      dynamodbEndpoint: dynamo.endpoint,
      table: { client: createDocumentClient({ endpoint: dynamo.endpoint }), tableName },
      stubUrl: stub.url,
      functionEnv: functionEnvironment({ dynamodbEndpoint: dynamo.endpoint, stubUrl: stub.url, tableName }),
      progress: log,
    };
    if (only.has('cold')) {
      log('1. cold start');
      results.coldStart = await measureColdStarts(context, functions);
    }
    const handlers = only.has('ops') || only.has('sweeper') ? await loadHandlers(context) : undefined;
    if (handlers && only.has('ops')) {
      log('2. DynamoDB operations per message');
      results.dynamoOps = await measureDynamoOps(context, handlers, stub);
    }
    if (only.has('pipeline')) {
      log('3. pipeline through the local cloud');
      results.pipeline = await measurePipeline(context);
    }
    if (handlers && only.has('sweeper')) {
      log('2b. sweeper against fleet size');
      results.sweeper = await measureSweeper(context, handlers);
    }
    if (only.has('startup')) {
      log('5. local cloud start-up');
      results.startup = await measureStartup(context);
    }
    if (only.has('gateway')) {
      log('6. OCPP gateway under a charger fleet');
      results.gateway = await measureGateway(context);
    }
    if (only.has('telemetry')) {
      log('7. telemetry archive queries');
      results.telemetry = await measureTelemetry(context);
    }
    if (only.has('cost') && results.dynamoOps) {
      log('4. cost per charger-month');
      results.cost = costWithOptions(results.dynamoOps);
      results.telemetryCost = telemetryCost(results.telemetry);
    }
  } finally {
    await stub.close();
    await dynamo.stop();
  }
  results.durationS = round((Date.now() - started) / 1000);
  mkdirSync(resultsDir, { recursive: true });
  const markdown = markdownReport(results);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  log(`wrote ${join(resultsDir, 'latest.json')} and latest.md`);
}

main().then(
  // In-process handlers keep SDK keep-alive sockets open; everything we started is stopped by now.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
