import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import type { LocalFunction } from '../config/model.js';
import { stateDir } from '../config/paths.js';

// The local cloud runs each function from the bundle that `sls package` ships: serverless-esbuild's options
// as it computes them from the service's `custom.esbuild`, built with the same esbuild, plus a linked source
// map (local only, so stack traces name the TypeScript). Cached by a hash of the options and of every input
// file of the last build (esbuild's metafile), so an unchanged function is not rebuilt.

/** serverless-esbuild's own options: it strips them before calling esbuild (bundle.js in serverless-esbuild 1.57). */
const pluginOnlyOptions = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** serverless-esbuild's defaults that reach esbuild; `custom.esbuild` overrides them (its mergeDeepRight). */
const pluginDefaults = {
  bundle: true,
  target: 'node18',
  external: [],
  exclude: ['aws-sdk'],
  platform: 'node',
};

/**
 * The esbuild options `sls package` uses for one entry of a service: the defaults, the runtime's target,
 * then `custom.esbuild`, without the plugin's own keys; `exclude` joins `external` as the plugin does, and
 * `plugins`, a file's path relative to the service, is loaded as serverless-esbuild loads it.
 */
export function shippedBuildOptions(
  customEsbuild: Record<string, unknown>,
  runtimeTarget: string | undefined,
  serviceDir: string,
): BuildOptions {
  const merged: Record<string, unknown> = {
    ...pluginDefaults,
    ...(runtimeTarget ? { target: runtimeTarget } : {}),
    ...customEsbuild,
  };
  const exclude = (merged.exclude as string[] | undefined) ?? [];
  const external = [
    ...((merged.external as string[] | undefined) ?? []),
    ...(exclude.includes('*') ? [] : exclude),
  ];
  const extension = (merged.outputFileExtension as string | undefined) ?? '.js';
  const options = Object.fromEntries(
    Object.entries(merged).filter(([key]) => !pluginOnlyOptions.includes(key)),
  ) as BuildOptions;
  return {
    ...options,
    external,
    ...(extension === '.js' ? {} : { outExtension: { '.js': extension } }),
    ...(typeof merged.plugins === 'string'
      ? {
          plugins: createRequire(import.meta.url)(
            join(serviceDir, merged.plugins),
          ) as BuildOptions['plugins'],
        }
      : {}),
  };
}

/** The options as text for the cache key: a plugin counts by its setup code (JSON would drop functions). */
function optionsText(value: unknown): string {
  return JSON.stringify(value, (_key, part: unknown) => (typeof part === 'function' ? String(part) : part));
}

/** What a function runs locally: its bundle file, and whether this start built it or found it cached. */
export interface FunctionBundle {
  file: string;
  cached: boolean;
}

interface Manifest {
  optionsHash: string;
  /** Every input file of the build (absolute path) with its content hash. */
  inputs: Record<string, string>;
  outputFile: string;
}

const fileHashes = new Map<string, Promise<string | undefined>>();
function hashOfFile(path: string): Promise<string | undefined> {
  let hashed = fileHashes.get(path);
  if (!hashed) {
    hashed = readFile(path).then(
      (contents) => createHash('sha256').update(contents).digest('hex'),
      () => undefined,
    );
    fileHashes.set(path, hashed);
  }
  return hashed;
}

async function isCurrent(manifest: Manifest, optionsHash: string): Promise<boolean> {
  if (manifest.optionsHash !== optionsHash || !existsSync(manifest.outputFile)) return false;
  const checks = await Promise.all(
    Object.entries(manifest.inputs).map(async ([path, hash]) => (await hashOfFile(path)) === hash),
  );
  return checks.every(Boolean);
}

/**
 * Bundles one function's entry (relative to its service dir, as serverless-esbuild takes it) under
 * `.local-cloud/bundles`, or reuses the last bundle when neither the options nor any input changed. Each
 * build gets a directory of its own and the manifest moves last, so a cloud starting beside this one never
 * imports a half-written or replaced bundle.
 */
export async function bundleFunction(fn: LocalFunction): Promise<FunctionBundle> {
  const options: BuildOptions = { ...fn.buildOptions, sourcemap: 'linked' };
  const optionsHash = createHash('sha256')
    .update(optionsText({ options, entry: fn.entry, serviceDir: fn.serviceDir }))
    .digest('hex');
  const functionDir = join(stateDir, 'bundles', fn.service, `${fn.name}-${optionsHash.slice(0, 12)}`);
  const manifestFile = join(functionDir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    if (await isCurrent(manifest, optionsHash)) return { file: manifest.outputFile, cached: true };
  }
  const buildDir = join(functionDir, `${Date.now()}-${process.pid}`);
  const result = await build({
    ...options,
    absWorkingDir: fn.serviceDir,
    entryPoints: [fn.entry],
    outdir: join(buildDir, dirname(fn.entry)),
    metafile: true,
    logLevel: 'silent',
  });
  const entryOutput = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint);
  if (!entryOutput) throw new Error(`${fn.id}: esbuild produced no entry output for ${fn.entry}`);
  const inputs: Record<string, string> = {};
  await Promise.all(
    Object.keys(result.metafile.inputs).map(async (input) => {
      const path = join(fn.serviceDir, input);
      fileHashes.delete(path);
      const hash = await hashOfFile(path);
      if (hash) inputs[path] = hash;
    }),
  );
  const manifest: Manifest = { optionsHash, inputs, outputFile: join(fn.serviceDir, entryOutput[0]) };
  const partial = `${manifestFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(manifest));
  await rename(partial, manifestFile);
  await pruneOldBuilds(functionDir, buildDir);
  return { file: manifest.outputFile, cached: false };
}

/** Removes this function's earlier builds, except any a cloud may have started from in the last hour. */
async function pruneOldBuilds(functionDir: string, current: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of await readdir(functionDir)) {
    const builtAt = Number(entry.split('-')[0]);
    const path = join(functionDir, entry);
    if (path !== current && Number.isFinite(builtAt) && builtAt < hourAgo) {
      await rm(path, { recursive: true, force: true });
    }
  }
}
