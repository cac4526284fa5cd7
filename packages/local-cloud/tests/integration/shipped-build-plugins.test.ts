import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { servicesRoot } from '../../src/config/paths.js';
import { shippedBuildOptionsOf } from '../../src/config/shipped-build.js';

// What the shipped build options make of code, run in a fresh Node process:
// - `node:http` is loaded with require (esbuild-plugins.cjs): Node 22's ESM facade of `node:http` reads its lazy
//   getters and so loads undici (8-11 ms of a cold start), which require does not;
// - the SDK's unreachable fallbacks resolve to @evcharge/middleware's lambda-sdk-fallbacks;
// - tree shaking of the pure schemas keeps zod's English messages wherever a function parses.

let dir: string;

// What the SDK's HTTP handler does: a static import, and a dynamic one for an http:// endpoint.
const entry = `
import { Agent, request } from 'node:http';
export async function probe() {
  const dynamic = await import('node:http');
  const http = dynamic.default ?? dynamic;
  return typeof Agent === 'function' && typeof request === 'function' && http.Agent === Agent;
}
`;

async function bundled(name: string, withPlugins: boolean, contents = entry): Promise<string> {
  const options = await shippedBuildOptionsOf('heartbeat');
  const outdir = join(dir, name);
  await build({
    ...options,
    ...(withPlugins ? {} : { plugins: [] }),
    absWorkingDir: join(servicesRoot, 'heartbeat'),
    stdin: {
      contents,
      resolveDir: join(servicesRoot, 'heartbeat'),
      loader: 'ts',
      sourcefile: 'probe.ts',
    },
    outdir,
    logLevel: 'silent',
  });
  return join(outdir, 'stdin.mjs');
}

/** Imports the bundle in a fresh Node process: what its `probe()` returns, and whether undici was loaded. */
function run(bundle: string): Promise<{ result: unknown; undici: boolean }> {
  const script = `
const { probe } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const result = await probe();
process.stdout.write(JSON.stringify({ result, undici: process.moduleLoadList.some((m) => m.includes('undici')) }));
`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-through-require-'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('node:http in shipped bundles', () => {
  it('is the builtin itself, statically and dynamically imported, and loads no undici', async () => {
    await expect(run(await bundled('shipped', true))).resolves.toEqual({ result: true, undici: false });
  }, 60_000);

  it('imported as ESM instead, loads undici on Node 22 (why the plugin exists)', async () => {
    const plain = await run(await bundled('plain', false));
    expect(plain.result).toBe(true);
    const major = Number(process.versions.node.split('.')[0]);
    // Node 20 reads no lazy getter here; the runtime the functions ship on (Node 22) does.
    if (major >= 22) expect(plain.undici).toBe(true);
  }, 60_000);
});

describe('the SDK fallbacks in shipped bundles', () => {
  it('resolve to the stand-ins, never to the SDK modules', async () => {
    const result = await build({
      ...(await shippedBuildOptionsOf('heartbeat')),
      absWorkingDir: join(servicesRoot, 'heartbeat'),
      // From the DynamoDB client, which imports the SDK core as every bundle does.
      stdin: {
        contents: "export { Sha256Js, Md5Js } from '@smithy/core/checksum';",
        resolveDir: dirname(
          createRequire(join(servicesRoot, 'heartbeat/package.json')).resolve('@aws-sdk/client-dynamodb'),
        ),
        loader: 'ts',
      },
      write: false,
      outdir: join(dir, 'fallbacks'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.endsWith('lambda-sdk-fallbacks.ts'))).toHaveLength(1);
    expect(inputs.filter((path) => /[\\/](Sha256Js|Md5Js)\.js$/.test(path))).toEqual([]);
  }, 60_000);
});

describe('the pure schemas in shipped bundles', () => {
  it('keep zod’s English messages where a function parses with a contract schema', async () => {
    const parses = `
import { parseOrThrow, plugPayloadSchema } from '@evcharge/domain';
export function probe() {
  try {
    parseOrThrow(plugPayloadSchema, { event: 'plugged', connectorId: 'one' });
  } catch (error) {
    return error.message;
  }
  return 'parsed';
}
`;
    const { result } = await run(await bundled('parses', true, parses));
    expect(result).toBe('messageId: Invalid input: expected string, received undefined');
  }, 60_000);
});
