#!/usr/bin/env node
// Bootstrap for a fresh machine that has only Node 20 and npm: makes sure pnpm 10, Node 22 (the `node`
// package in devDependencies) and the workspace are installed, then runs the named pnpm script with
// Node 22 on PATH. Usage: node scripts/ensure-workspace.mjs <script> [args...]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/ensure-workspace.mjs <script> [args...]');
  process.exit(2);
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (probe.status === 0 && probe.stdout.trim().startsWith('10.')) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

function run(command, commandArgs) {
  const result = spawnSync(command[0], [...command.slice(1), ...commandArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker) || !existsSync(join(root, 'node_modules', '.bin', 'node'))) return true;
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs > statSync(marker).mtimeMs;
}

const pnpm = pnpmCommand();
if (needsInstall()) {
  console.error(
    `Installing the workspace (pnpm ${PNPM_VERSION}, Node 22 and dependencies from the npm registry)…`,
  );
  const status = run(pnpm, ['install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}

const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
if (java.status !== 0 && ['test:all', 'local-cloud'].includes(script)) {
  console.error(
    'DynamoDB Local needs Java 17 or newer and `java` was not found.\n' +
      'On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless',
  );
  process.exit(1);
}

process.exit(run(pnpm, ['run', script, ...args]));
