import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { repoRoot } from './paths.js';
import { round } from './stats.js';

// `npm start` as a user runs it, timed from the command to its ready line with every port answering:
// once after clearing the config and bundle caches (the first start after install; the install itself is
// not counted), then again with them warm. DynamoDB Local starts every time (its JVM is part of each start).

export interface StartupRun {
  readyMs: number;
  /** How long after ready every function had imported its bundle: the most a first message waits for it. */
  importsAfterReadyMs: number;
  /** The phases the local cloud printed (config, functions, DynamoDB Local, ready), as printed. */
  phases: string;
}

export interface StartupResult {
  firstReadyMs: number;
  warmReadyMs: number;
  runs: { first: StartupRun[]; warm: StartupRun[] };
  targets: { firstReadyMs: number; warmReadyMs: number };
}

export const STARTUP_TARGETS = { firstReadyMs: 20_000, warmReadyMs: 5_000 };

function portAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One `npm start -- --chargers 0` on free ports, until its ready line and every printed port answers. */
function timeOneStart(): Promise<StartupRun> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(
      'npm',
      [
        'start',
        '--',
        '--chargers',
        '0',
        '--mqtt-port',
        '0',
        '--aws-port',
        '0',
        '--http-port',
        '0',
        '--dynamodb-port',
        '0',
        '--ocpp-port',
        '0',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    let settled = false;
    const stop = () => {
      if (child.pid) process.kill(-child.pid, 'SIGINT');
    };
    const timer = setTimeout(() => {
      settled = true;
      stop();
      reject(new Error(`npm start did not get ready within 120 s:\n${output.slice(-2_000)}`));
    }, 120_000);
    let readyMs = 0;
    let finished = false;
    child.stdout.on('data', async (chunk: Buffer) => {
      output += chunk.toString();
      if (settled) {
        const imported = /all imported ([\d.]+) s after ready/.exec(output);
        if (finished || !imported || readyMs === 0) return;
        finished = true;
        clearTimeout(timer);
        stop();
        child.once('exit', () =>
          resolve({
            readyMs: round(readyMs),
            importsAfterReadyMs: round(Number(imported[1]) * 1000),
            phases: /start-up\s+(.*)/.exec(output)?.[1]?.trim() ?? '',
          }),
        );
        return;
      }
      if (!/local cloud up in/.test(output) || !/OCPP gateway +ws:\/\/\S+/.test(output)) return;
      settled = true;
      const urls = [...output.matchAll(/\b(?:mqtt|http|ws):\/\/127\.0\.0\.1:\d+/g)].map((match) => match[0]);
      const answering = await Promise.all(urls.map(portAnswers));
      const answeredMs = performance.now() - startedAt;
      if (urls.length < 5 || answering.includes(false)) {
        clearTimeout(timer);
        stop();
        reject(new Error(`ready line printed, but not every port answers: ${urls.join(', ')}`));
        return;
      }
      // Ready counts to here; the run goes on until the functions' imports are reported.
      readyMs = answeredMs;
      child.stdout.emit('data', Buffer.alloc(0));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
  });
}

export async function measureStartup(context: BenchContext): Promise<StartupResult> {
  const repeats = context.quick ? 1 : 3;
  const first: StartupRun[] = [];
  const warm: StartupRun[] = [];
  for (let run = 0; run < repeats; run++) {
    for (const cache of ['config', 'bundles']) {
      rmSync(join(repoRoot, '.local-cloud', cache), { recursive: true, force: true });
    }
    first.push(await timeOneStart());
    context.progress(`  first start ${run + 1}/${repeats}: ${first.at(-1)?.readyMs} ms`);
    warm.push(await timeOneStart());
    context.progress(`  warm start ${run + 1}/${repeats}: ${warm.at(-1)?.readyMs} ms`);
  }
  const median = (runs: StartupRun[]) =>
    [...runs].sort((a, b) => a.readyMs - b.readyMs)[Math.floor(runs.length / 2)]?.readyMs ?? 0;
  return {
    firstReadyMs: median(first),
    warmReadyMs: median(warm),
    runs: { first, warm },
    targets: STARTUP_TARGETS,
  };
}
