// One jest config for the whole workspace: every package and service is a project, selectable by its
// package name (`--selectProjects heartbeat`). DynamoDB Local is started once per jest run (globalSetup);
// `npm test` (scripts/test.mjs) runs the suites in lanes, the heavy ones each in a jest run of its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
const testing = join(root, 'packages/testing/src');
// Holds handler logs per test and prints them when it fails (TEST_LOGS=1: all of them).
const testEnvironment = join(testing, 'quiet-environment.js');

const swcTransform = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023', experimental: { keepImportAttributes: true } },
    module: { type: 'es6' },
  },
];

export function projectFor(dir) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return {
    displayName: name,
    rootDir: dir,
    testMatch: ['<rootDir>/tests/**/*.test.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': swcTransform },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testEnvironment: testEnvironment,
  };
}

const workspaceDirs = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((entry) => join(root, group, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tests'))),
);
// The benchmark's own arithmetic is tested too (its measurements run only under `pnpm bench`).
workspaceDirs.push(join(root, 'bench'));

export default {
  projects: workspaceDirs.map(projectFor),
  globalSetup: join(testing, 'global-setup.js'),
  globalTeardown: join(testing, 'global-teardown.js'),
  testTimeout: 30_000,
};
