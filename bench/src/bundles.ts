import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { shippedBuildOptionsOf } from '@evcharge/local-cloud/build';
import { build, type Metafile } from 'esbuild';
import { buildDir, repoRoot } from './paths.js';

// Builds each function's handler with the options `sls package` uses (the local cloud's shippedBuildOptionsOf,
// from the service's resolved custom.esbuild), with a metafile to attribute the bytes; also reads the .mjs size
// from `sls package` zips if present.

export interface FunctionEntry {
  service: string;
  name: string;
  /** e.g. services/heartbeat/src/handlers/heartbeat.ts */
  entry: string;
  handlerExport: string;
  /** The kind of its first event in serverless.yml (iot, schedule, sqs, httpApi, stream), if any. */
  trigger?: string;
}

/** Every function of every service: `<fn>:\n    handler: src/handlers/x.handler` in serverless.yml. */
export function discoverFunctions(): FunctionEntry[] {
  const entries: FunctionEntry[] = [];
  const servicesDir = join(repoRoot, 'services');
  for (const service of readdirSync(servicesDir).sort()) {
    const file = join(servicesDir, service, 'serverless.yml');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const matches = [...text.matchAll(/^ {2}([\w-]+):\n {4}handler: (\S+)\.(\w+)$/gm)];
    matches.forEach((match, index) => {
      const [, name, path, handlerExport] = match;
      const block = text.slice(match.index, matches[index + 1]?.index ?? text.length);
      const trigger = /^ {4}events:\n {6}- (\w+):/m.exec(block)?.[1];
      entries.push({
        service,
        name: name!,
        entry: `services/${service}/${path}.ts`,
        handlerExport: handlerExport!,
        ...(trigger ? { trigger } : {}),
      });
    });
  }
  return entries;
}

export interface BundleResult {
  id: string;
  outfile: string;
  /** The code a cold start loads: the entry and the chunks it imports statically. */
  bytes: number;
  /** Every output file: the above and the chunks loaded only by a dynamic import (what the zip holds). */
  allBytes: number;
  /** Bytes a cold start loads, by origin (AWS SDK, zod, powertools, middy, our code, other). */
  attribution: Record<string, number>;
}

export function originOf(inputPath: string): string {
  if (/node_modules\/(\.pnpm\/)?(@aws-sdk|@smithy|@aws-crypto|@aws\+|@aws-sdk\+|@smithy\+)/.test(inputPath))
    return 'AWS SDK';
  if (/node_modules\/(\.pnpm\/)?@aws-lambda-powertools/.test(inputPath)) return 'Powertools';
  if (/node_modules\/(\.pnpm\/)?@middy/.test(inputPath)) return 'middy';
  if (/node_modules\/(\.pnpm\/)?zod/.test(inputPath)) return 'zod';
  if (inputPath.includes('node_modules')) return 'other deps';
  return 'our code';
}

function attribute(outputs: Metafile['outputs'][string][]): Record<string, number> {
  const attribution: Record<string, number> = {};
  for (const output of outputs) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const origin = originOf(path);
      attribution[origin] = (attribution[origin] ?? 0) + input.bytesInOutput;
    }
  }
  return attribution;
}

/** The entry's output and every chunk it imports statically, transitively: what importing the entry loads. */
function loadedAtImport(metafile: Metafile, entryPath: string): string[] {
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path) || !metafile.outputs[path]) return;
    loaded.add(path);
    for (const imported of metafile.outputs[path].imports)
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entryPath);
  return [...loaded];
}

/** An entry file (relative to the repo root), or inline source resolved from `resolveDir`. */
export type BundleInput = string | { contents: string; resolveDir: string };

/**
 * Bundles with the options `sls package` uses for `service` (every service takes the `esbuild` block of
 * serverless.common.yml, so the baseline and probes use a service's too).
 */
export async function bundle(id: string, input: BundleInput, service = 'heartbeat'): Promise<BundleResult> {
  const outdir = join(buildDir, 'bundles', id);
  const result = await build({
    ...(await shippedBuildOptionsOf(service)),
    // `sls package` builds in the service folder: the esbuild block's aliases resolve from there.
    absWorkingDir: join(repoRoot, 'services', service),
    ...(typeof input === 'string'
      ? { entryPoints: [join(repoRoot, input)] }
      : {
          stdin: {
            contents: input.contents,
            resolveDir: join(repoRoot, input.resolveDir),
            loader: 'ts' as const,
          },
        }),
    outdir,
    metafile: true,
    logLevel: 'silent',
  });
  const { outputs } = result.metafile;
  const code = Object.keys(outputs).filter((path) => !path.endsWith('.map'));
  const entry = code.find((path) => outputs[path]?.entryPoint !== undefined) ?? code[0]!;
  const loaded = loadedAtImport(result.metafile, entry);
  const sizeOf = (path: string) => statSync(join(repoRoot, 'services', service, path)).size;
  return {
    id,
    outfile: join(repoRoot, 'services', service, entry),
    bytes: loaded.reduce((sum, path) => sum + sizeOf(path), 0),
    allBytes: code.reduce((sum, path) => sum + sizeOf(path), 0),
    attribution: attribute(loaded.map((path) => outputs[path]!)),
  };
}

/** Uncompressed size of the handler (.mjs/.js, not .map) inside `services/<svc>/.serverless/<fn>.zip`. */
export function shippedHandlerBytes(service: string, functionName: string): number | undefined {
  const zipPath = join(repoRoot, 'services', service, '.serverless', `${functionName}.zip`);
  if (!existsSync(zipPath)) return undefined;
  const zip = readFileSync(zipPath);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) return undefined;
  const entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  let bytes = 0;
  for (let index = 0; index < entries; index++) {
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (/\.(mjs|js|cjs)$/.test(name)) bytes += size;
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return bytes;
}
