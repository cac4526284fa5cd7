import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { oslsBin, stateDir } from './paths.js';

/** What `serverless print --format json` gives, as far as the local cloud reads it. */
export interface PrintedService {
  service: string;
  custom?: {
    esbuild?: Record<string, unknown>;
    localCloud?: { notEmulated?: string; staticSite?: { path?: string; dir?: string; build?: string } };
  };
  provider: {
    runtime?: string;
    stage?: string;
    region?: string;
    environment?: Record<string, unknown>;
    timeout?: number;
    httpApi?: { authorizers?: Record<string, { type?: string; identitySource?: string }> };
  };
  functions?: Record<string, PrintedFunction>;
  resources?: {
    Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Conditions?: Record<string, unknown>;
    extensions?: Record<string, { Properties?: Record<string, unknown> }>;
    Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  };
}

export interface PrintedFunction {
  handler: string;
  runtime?: string;
  name?: string;
  timeout?: number;
  environment?: Record<string, unknown>;
  maximumRetryAttempts?: number;
  destinations?: { onFailure?: unknown };
  events?: Record<string, unknown>[];
}

/**
 * Every file `serverless print` reads for a service: its serverless.yml and, recursively, each file a
 * `${file(...)}` variable names (relative to the file that names it). The cache is keyed by all of them.
 */
export async function configInputs(serviceDir: string): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/\$\{file\(([^)]+)\)/g)) {
      await visit(resolve(dirname(file), (match[1] ?? '').trim()));
    }
  };
  await visit(join(serviceDir, 'serverless.yml'));
  return [...seen].sort();
}

/** Deploy params given on the command line (`--param name=value`, as `sls deploy` takes them). */
export type DeployParams = Record<string, string>;

/** `serverless print` for one service dir, cached under .local-cloud/ by a hash of every input (print takes seconds). */
export async function printService(
  serviceDir: string,
  stage: string,
  params: DeployParams = {},
): Promise<PrintedService> {
  const hash = createHash('sha256');
  hash.update(stage);
  hash.update(JSON.stringify(Object.entries(params).sort()));
  for (const file of await configInputs(serviceDir)) {
    hash.update(file);
    hash.update(await readFile(file));
  }
  const cacheFile = join(
    stateDir,
    'config',
    `${basename(serviceDir)}-${hash.digest('hex').slice(0, 16)}.json`,
  );
  // LOCAL_CLOUD_NO_CACHE=1 re-prints (e.g. after changing what a variable resolves from outside any file).
  if (existsSync(cacheFile) && process.env.LOCAL_CLOUD_NO_CACHE !== '1')
    return JSON.parse(await readFile(cacheFile, 'utf8')) as PrintedService;
  const printed = await runPrint(serviceDir, stage, params);
  await mkdir(join(stateDir, 'config'), { recursive: true });
  // Write then rename, so a parallel reader never sees half a file.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(printed));
  await rename(partial, cacheFile);
  return printed;
}

/** The same, never from the cache: what the framework itself resolves now. */
export function printServiceUncached(serviceDir: string, stage: string): Promise<PrintedService> {
  return runPrint(serviceDir, stage);
}

function runPrint(serviceDir: string, stage: string, params: DeployParams = {}): Promise<PrintedService> {
  return new Promise((resolvePrint, reject) => {
    const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
    // process.execPath is Node 22 when started through pnpm; osls itself needs no AWS credentials here.
    const child = spawn(
      process.execPath,
      [oslsBin, 'print', '--stage', stage, '--format', 'json', ...paramArgs],
      {
        cwd: serviceDir,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
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
    child.on('error', reject);
    child.on('close', (code) => {
      const jsonStart = stdout.indexOf('{');
      if (code !== 0 || jsonStart < 0) {
        reject(new Error(`serverless print failed in ${serviceDir} (exit ${code}):\n${stderr || stdout}`));
        return;
      }
      try {
        resolvePrint(JSON.parse(stdout.slice(jsonStart)) as PrintedService);
      } catch (error) {
        reject(new Error(`serverless print in ${serviceDir} gave invalid JSON: ${String(error)}`));
      }
    });
  });
}
