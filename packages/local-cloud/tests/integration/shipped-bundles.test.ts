// @lane isolated: `sls package` of a whole service takes a CPU for a while.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The local bundle without its trailing source map link: the only line the shipped zip does not have. */
function withoutSourceMapLink(code: string): string {
  return code.replace(/\n\/\/# sourceMappingURL=[^\n]+\n?$/, '\n');
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

  it('each local bundle is the code in the zip that ships, byte for byte apart from the source map link', async () => {
    for (const fn of functions) {
      const zip = readZipTextEntries(join(packageDir, `${fn.name}.zip`), /\.mjs$/);
      const shipped = zip.get(fn.entry.replace(/\.ts$/, '.mjs'));
      expect(shipped).toBeDefined();
      const local = await readFile((await bundleFunction(fn)).file, 'utf8');
      expect(local).toContain('//# sourceMappingURL=');
      expect(withoutSourceMapLink(local)).toBe(shipped);
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
