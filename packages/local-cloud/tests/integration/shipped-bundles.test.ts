// @lane isolated: `sls package` of a whole service takes a CPU for a while.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readZipTextEntries } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadCloudConfig } from '../../src/config/load-cloud-config.js';
import type { LocalFunction } from '../../src/config/model.js';
import { oslsBin, servicesRoot } from '../../src/config/paths.js';
import { bundleFunction } from '../../src/lambda/bundles.js';

// The local cloud runs what ships: each function's local bundle is the code `sls package` zips, apart
// from the source map the local build links (local only).
const service = 'plug-events';
let packageDir: string;
let functions: LocalFunction[];

function slsPackage(serviceDir: string, outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [oslsBin, 'package', '--stage', 'local', '--package', outDir],
      { cwd: serviceDir, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, timeout: 170_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), 'shipped-bundles-'));
  const config = await loadCloudConfig({
    services: [service],
    awsEndpoint: 'http://127.0.0.1:1',
    tableName: 'shipped-bundles',
  });
  functions = config.functions.filter((fn) => fn.service === service);
  await slsPackage(join(servicesRoot, service), packageDir);
}, 180_000);

afterAll(async () => {
  await rm(packageDir, { recursive: true, force: true });
});

/**
 * A local bundle file as the zip would hold it: without its trailing source map link, the only line the zip does
 * not have, and with its chunks' content hashes (in file names and imports) blanked: the link changes them.
 */
function asShipped(code: string): string {
  return withoutChunkHashes(code.replace(/\n\/\/# sourceMappingURL=[^\n]+\n?$/, '\n'));
}

function withoutChunkHashes(text: string): string {
  return text.replace(/-[A-Z0-9]{8}\.mjs/g, '-HASH.mjs');
}

/** A function's local build: its entry and its chunks (named after it), as [file name without hash, code]. */
async function localBuild(entryFile: string): Promise<[string, string][]> {
  const name = basename(entryFile, '.mjs');
  const files = (await readdir(dirname(entryFile))).filter(
    (file) => file === `${name}.mjs` || (file.startsWith(`${name}.`) && file.endsWith('.mjs')),
  );
  return Promise.all(
    files.map(async (file) => [
      withoutChunkHashes(file),
      await readFile(join(dirname(entryFile), file), 'utf8'),
    ]),
  );
}

/** Files in one order whatever their hashes were (two chunks may share a name once the hash is blanked). */
function sorted(files: [string, string][]): [string, string][] {
  return [...files].sort(([nameA, codeA], [nameB, codeB]) =>
    nameA === nameB ? codeA.localeCompare(codeB) : nameA.localeCompare(nameB),
  );
}

describe(`local bundles of ${service} against its sls package zips`, () => {
  it('bundles every function with the options sls package uses and links a source map locally', async () => {
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.buildOptions).toMatchObject({
        format: 'esm',
        minify: true,
        target: 'node22',
        sourcemap: false,
      });
      const bundle = await bundleFunction(fn);
      expect(bundle.file.endsWith('.mjs')).toBe(true);
      expect(await readFile(`${bundle.file}.map`, 'utf8')).toContain('"sources"');
    }
  });

  it('each local bundle is the code in the zip that ships, its chunks too, byte for byte apart from the source map link', async () => {
    for (const fn of functions) {
      const zip = readZipTextEntries(join(packageDir, `${fn.name}.zip`), /\.mjs$/);
      const shipped = [...zip].map(([path, code]): [string, string] => [
        withoutChunkHashes(basename(path)),
        withoutChunkHashes(code),
      ]);
      expect(shipped.map(([file]) => file)).toContain(basename(fn.entry).replace(/\.ts$/, '.mjs'));
      const local = await localBuild((await bundleFunction(fn)).file);
      for (const [, code] of local) expect(code).toContain('//# sourceMappingURL=');
      // The zip holds this function's files only (no other function's entry or chunks), each as built locally.
      expect(sorted(shipped)).toEqual(sorted(local.map(([file, code]) => [file, asShipped(code)])));
    }
  });

  it('reuses an unchanged bundle instead of building it again', async () => {
    const [fn] = functions;
    if (!fn) throw new Error('no function');
    const first = await bundleFunction(fn);
    const again = await bundleFunction(fn);
    expect(again).toEqual({ file: first.file, cached: true });
  });
});
