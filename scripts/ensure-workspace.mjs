#!/usr/bin/env node
// Bootstrap for a fresh machine that has only Node 20 and npm: makes sure pnpm 10 (through npx until the
// workspace's own, the `pnpm` devDependency, is installed), Node 22 (the `node` package in devDependencies)
// and the workspace are installed, then runs the named pnpm script with Node 22 on PATH. Usage: node scripts/ensure-workspace.mjs <script> [args...]
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
  // The workspace's own pnpm (a root devDependency) once installed: no global pnpm and no download needed.
  const local = join(root, 'node_modules', '.bin', 'pnpm');
  if (process.platform !== 'win32' && existsSync(local)) return [local];
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

/** The major version of the `java` on PATH (`java -version` prints it on stderr), or undefined without one. */
function javaMajor() {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const match = /version "(?:1\.)?(\d+)/.exec(`${probe.stderr}${probe.stdout}`);
  return match ? Number(match[1]) : undefined;
}

/** Installs Java 17 when that needs no prompt: apt as root, or through passwordless sudo (as CI does). */
function installJavaQuietly() {
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) return false;
  const asRoot = (command) => (isRoot ? command : ['sudo', '-n', ...command]);
  console.error('DynamoDB Local needs Java 17 or newer: installing openjdk-17-jre-headless with apt…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const command of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', 'openjdk-17-jre-headless'],
  ]) {
    const [bin, ...rest] = asRoot(command);
    if (spawnSync(bin, rest, { stdio: 'inherit', env }).status !== 0) return false;
  }
  return (javaMajor() ?? 0) >= 17;
}

/** The one command that installs Java 17 on this system, for when it cannot be done without a prompt. */
function javaInstallHint() {
  const has = (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
  if (process.platform === 'darwin') return 'brew install openjdk@17';
  if (has('apt-get')) return 'sudo apt-get install -y openjdk-17-jre-headless';
  if (has('dnf')) return 'sudo dnf install -y java-17-openjdk-headless';
  if (has('apk')) return 'sudo apk add openjdk17-jre-headless';
  return 'install a Java 17 (or newer) runtime and put `java` on PATH';
}

const wantsHelp = args.some((arg) => arg === '--help' || arg === '-h');
if (
  ['test:all', 'local-cloud'].includes(script) &&
  !wantsHelp &&
  (javaMajor() ?? 0) < 17 &&
  !installJavaQuietly()
) {
  const found = javaMajor();
  console.error(
    `DynamoDB Local needs Java 17 or newer; ${found ? `found Java ${found}` : '`java` was not found'}.\n` +
      `Install it, then run this command again:\n  ${javaInstallHint()}`,
  );
  process.exit(1);
}

process.exit(run(pnpm, ['run', script, ...args]));
