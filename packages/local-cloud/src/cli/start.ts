// `npm start`: the local cloud with every service and a simulated fleet, a live status, and a clean exit.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OPERATORS_GROUP, signDevToken } from '@evcharge/local-identity';
import { type Fleet, startFleet } from '@evcharge/simulator';
import { type LocalCloud, startLocalCloud } from '../cloud.js';
import { stateDir } from '../config/paths.js';
import { DataDir } from '../state/persistence.js';
import { parseStartArgs, usage } from './args.js';
import { type BackendView, readBackendView } from './backend-view.js';
import { invokeLocalExports } from './env.js';
import { renderStatus } from './status-view.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseStartArgs>;
  try {
    args = parseStartArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const recentLog: string[] = [];
  const remember = (line: string) => {
    recentLog.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
    if (recentLog.length > 5) recentLog.shift();
  };
  const startedAt = Date.now();
  console.log('starting the local cloud (DynamoDB Local, broker, services)…');
  let cloud: LocalCloud;
  try {
    if (args.dataDir && args.reset) DataDir.reset(args.dataDir);
    cloud = await startLocalCloud({
      ports: args.ports,
      // Ready sooner: each function imports its bundle right after, and its first message waits for that.
      loadFunctionsAfterReady: true,
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      timeFactor: args.timeFactor,
      ...(args.services ? { services: args.services } : {}),
      params: args.params,
      // Without --data-dir the archive still lands where `npm run analytics` looks by default (.local-cloud/s3),
      // emptied at each start like everything else in memory, kept after Ctrl-C for the queries.
      ...(args.dataDir ? {} : { s3Dir: freshDir(join(stateDir, 's3')) }),
      basicIngest: true,
      onLog: remember,
    });
  } catch (error) {
    console.error(`local cloud failed to start: ${(error as Error).message}`);
    return 1;
  }
  printEndpoints(cloud, Date.now() - startedAt, await consoleSignInLinks(cloud), args.dataDir);
  void cloud.startup.functionsLoaded.then((loadedMs) =>
    console.log(
      `  functions        all imported ${((loadedMs - cloud.startup.phasesMs.ready) / 1000).toFixed(1)} s after ready ` +
        '(the most a function’s first message waits for its import)',
    ),
  );

  let fleet: Fleet | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await fleet?.stop().catch(() => undefined);
      await cloud.stop();
    })();
    return stopping;
  };
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log('\nstopping…');
    done();
  });
  process.on('SIGTERM', () => done());
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });

  if (args.chargers > 0) {
    try {
      fleet = await startFleet({
        mqttUrl: cloud.endpoints.mqttUrl,
        table: cloud.table,
        chargers: args.v1,
        v2Chargers: args.v2,
        ocppChargers: args.ocpp,
        ...(cloud.endpoints.ocpp ? { ocppUrl: cloud.endpoints.ocpp } : {}),
        timeFactor: args.timeFactor,
        badInputRate: args.badInputRate,
        offlineRate: args.offlineRate,
        faultRate: args.faultRate,
        seed: args.seed,
        duplicateRate: args.duplicateRate,
        reorderRate: args.reorderRate,
        // As on AWS with the default basicIngest param: heartbeats and readings skip the broker's messaging.
        basicIngestStage: cloud.stage,
        // Sites of 4 chargers with room for all 4 at 22 kW: only an injected site-load episode nears the limit.
        siteGridLimitW: 4 * 22_000,
        ...(args.inject.requests.length > 0
          ? {
              inject: {
                requests: args.inject.requests,
                seed: args.inject.seed,
                groundTruthPath: args.inject.groundTruthPath,
                params: {
                  ...(args.inject.stalledS !== undefined ? { stalledS: args.inject.stalledS } : {}),
                  ...(args.inject.flappingGapS !== undefined
                    ? { flappingGapS: args.inject.flappingGapS }
                    : {}),
                },
                onEpisode: (episode) =>
                  remember(
                    `injected ${episode.kind} on ${episode.siteId ?? episode.chargerId} (${episode.episodeId})`,
                  ),
              },
            }
          : {}),
        log: remember,
      });
      if (args.inject.requests.length > 0)
        console.log(`  ground truth     ${args.inject.groundTruthPath} (one JSON line per injected episode)`);
    } catch (error) {
      console.error(`simulator failed to start: ${(error as Error).message}`);
      await shutdown();
      return 1;
    }
  }
  if (args.durationS !== undefined) setTimeout(() => done(), args.durationS * 1000).unref();

  let backend: BackendView | undefined;
  let linesDrawn = 0;
  const live = process.stdout.isTTY === true;
  const draw = () => {
    const lines = renderStatus({
      elapsedS: (Date.now() - startedAt) / 1000,
      cloud: cloud.stats(),
      backend,
      fleet: fleet?.stats(),
      recentLog: live ? recentLog : [],
    });
    if (live && linesDrawn > 0) process.stdout.write(`\x1b[${linesDrawn}A\x1b[J`);
    // Cut lines to the terminal width, so that a redraw moves up exactly as many rows as it drew.
    const width = live ? Math.max(20, (process.stdout.columns ?? 120) - 1) : Number.POSITIVE_INFINITY;
    process.stdout.write(`${lines.map((line) => line.slice(0, width)).join('\n')}\n`);
    linesDrawn = lines.length;
  };
  let ticks = 0;
  let reading = false;
  const refresh = setInterval(() => {
    // A scan of the table every other second; never two at once on a big table.
    if (!reading && ticks % 2 === 0) {
      reading = true;
      readBackendView(cloud.table)
        .then((view) => {
          backend = view;
        })
        .catch(() => undefined)
        .finally(() => {
          reading = false;
        });
    }
    // Without a terminal, print every 10 s instead of redrawing.
    ticks++;
    if (live || ticks % 10 === 0) draw();
  }, 1000);

  await finished;
  clearInterval(refresh);
  backend = await readBackendView(cloud.table).catch(() => backend);
  const finalStats = cloud.stats();
  const fleetStats = fleet?.stats();
  const deadLetters = cloud.deadLetters();
  await shutdown();
  linesDrawn = 0;
  console.log('\nfinal summary');
  console.log(
    renderStatus({
      elapsedS: (Date.now() - startedAt) / 1000,
      cloud: finalStats,
      backend,
      fleet: fleetStats,
      recentLog: [],
    }).join('\n'),
  );
  const bySource = deadLetters.reduce<Record<string, number>>((counts, letter) => {
    const key = `${letter.source} ${letter.functionId ?? letter.ruleName ?? letter.queue}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});
  for (const [key, count] of Object.entries(bySource)) console.log(`  dead letters: ${count} × ${key}`);
  console.log('everything stopped.');
  return 0;
}

/** Each web app's URL with an operator token in its fragment (never sent to a server, so never in a log). */
async function consoleSignInLinks(cloud: LocalCloud): Promise<string[]> {
  const sites = Object.entries(cloud.endpoints.sites);
  if (sites.length === 0) return [];
  const token = await signDevToken('operator', { groups: [OPERATORS_GROUP] });
  return sites.map(([service, url]) => `  ${service.padEnd(16)} ${url}#token=${token}`);
}

function printEndpoints(
  cloud: LocalCloud,
  startMs: number,
  signInLinks: string[],
  dataDir: string | undefined,
): void {
  const { endpoints } = cloud;
  const { phasesMs, bundles } = cloud.startup;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`local cloud up in ${seconds(startMs)} with ${cloud.functions.length} functions`);
  console.log(
    `  start-up         config ${seconds(phasesMs.config)}, functions ${seconds(phasesMs.functions)} ` +
      `(${bundles.built} bundled, ${bundles.cached} unchanged; imported after ready), DynamoDB Local ${seconds(phasesMs.dynamodb)}, ` +
      `ready ${seconds(phasesMs.ready)} (each from the start; they overlap)`,
  );
  for (const { service, reason } of cloud.startup.notRun)
    console.log(`  not run locally  ${service}: ${reason}`);
  console.log(`  MQTT broker      ${endpoints.mqttUrl}`);
  console.log(
    `  AWS endpoints    ${endpoints.aws}   (IoT data plane, SNS, SQS, S3 path-style; GET /_local/notifications, /_local/dead-letters, /_local/stats)`,
  );
  // The archive's objects as files: `npm run analytics` reads them from this dir's parent (its --data-dir).
  console.log(
    `  S3 objects       ${cloud.s3Dir}   (npm run analytics -- <query>${dataDir ? ` --data-dir ${dirname(cloud.s3Dir)}` : ''})`,
  );
  console.log(`  HTTP API         ${endpoints.http}`);
  // The sign-in link: an operator's dev token (12 h) in the fragment; `npm run dev-token -- <user> --operator` makes more.
  for (const line of signInLinks) console.log(line);
  console.log(`  DynamoDB Local   ${endpoints.dynamodb}   table ${cloud.table.tableName}`);
  if (endpoints.ocpp) {
    console.log(
      `  OCPP gateway     ${endpoints.ocpp}/{chargerId}   (OCPP 1.6J, HTTP Basic with the credentials \`npm run chargers -- register\` prints)`,
    );
  }
  console.log(
    '  for `sls invoke local --stage local` in a service folder, in another shell (or `eval "$(npm run -s local-cloud-env)"`):',
  );
  const port = (url: string) => Number(new URL(url).port);
  for (const line of invokeLocalExports({ aws: port(endpoints.aws), dynamodb: port(endpoints.dynamodb) }))
    console.log(`    ${line}`);
  console.log(`  function logs in .local-cloud/logs/; Ctrl-C stops everything\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

/** An empty directory at `path` (what was there is removed). */
function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}
