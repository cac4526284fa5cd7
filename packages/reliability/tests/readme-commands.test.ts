// @lane isolated: runs about 40 npm/npx processes, one after another.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  barePnpm,
  commandsIn,
  documentedCommands,
  harmlessForm,
  npmArgumentProblem,
} from '../src/readme-commands.js';
import { repoRoot } from '../src/templates.js';

// Issue 19: after `npm start` / `npm test` a newcomer has Node and npm but no global pnpm. Every command the
// READMEs show runs here as they would run it: PATH holds only node, npm, npx, java and the shell tools that
// npm and the bin shims call, never pnpm. A command that needs AWS or a running cloud is run as `--help`.

const { commands, barePnpm: barePnpmLines } = documentedCommands(repoRoot);

/** The system's own binary (not a workspace shim from node_modules/.bin), as a newcomer's PATH finds it. */
function systemBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules') || dir.startsWith(repoRoot)) continue;
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const newcomerBin = mkdtempSync(join(tmpdir(), 'newcomer-bin-'));
for (const name of ['node', 'npm', 'npx', 'java', 'sh', 'sed', 'dirname', 'uname']) {
  const found = systemBinary(name);
  if (found) symlinkSync(found, join(newcomerBin, name));
}
afterAll(() => rmSync(newcomerBin, { recursive: true, force: true }));

const newcomerEnv = {
  HOME: process.env.HOME ?? tmpdir(),
  PATH: newcomerBin,
  LANG: 'C.UTF-8',
  NPM_CONFIG_UPDATE_NOTIFIER: 'false',
};

function runAsNewcomer(command: string, cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { cwd: join(repoRoot, cwd), env: newcomerEnv, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

// One run per harmless form and folder; the README lines it stands for are named when it fails.
const runs = new Map<string, { form: string; cwd: string; shownAt: string[] }>();
for (const { file, line, command, cwd } of commands) {
  const form = harmlessForm(command);
  const key = `${cwd}\0${form}`;
  const run = runs.get(key) ?? { form, cwd, shownAt: [] };
  run.shownAt.push(`${file}:${line}: ${command}`);
  runs.set(key, run);
}

describe('README commands, as a newcomer without a global pnpm runs them', () => {
  it('the extraction finds commands in every kind of README and spots a bare pnpm', () => {
    const files = new Set(commands.map((command) => command.file));
    for (const file of [
      'README.md',
      'bench/README.md',
      'services/heartbeat/README.md',
      'docs/security/dependencies.md',
    ])
      expect(files).toContain(file);
    expect(commandsIn('eval "$(npm run -s local-cloud-env)"   # the exports')).toEqual([
      'npm run -s local-cloud-env',
    ]);
    expect(commandsIn('cd services/x && npx pnpm exec serverless package --stage local')).toEqual([
      'npx pnpm exec serverless package --stage local',
    ]);
    expect(barePnpm('pnpm chargers register CP-1')).toBe(true);
    expect(barePnpm('TOKEN=$(pnpm -s dev-token alice)')).toBe(true);
    expect(barePnpm('npx pnpm --filter heartbeat test   # pnpm-lock.yaml, pnpm 10')).toBe(false);
    expect(npmArgumentProblem('npm run chargers register CP-1')).toMatch(/must follow `--`/);
    expect(npmArgumentProblem('npm run -s dev-token -- alice')).toBeUndefined();
    expect(harmlessForm('npx pnpm --filter heartbeat exec sls deploy --stage dev')).toBe(
      'npx pnpm --filter heartbeat exec sls deploy --help',
    );
  });

  it('no README runs pnpm without npx', () => {
    expect(barePnpmLines).toEqual([]);
  });

  it('every npm script argument follows `--`', () => {
    expect(commands.map(({ command }) => npmArgumentProblem(command)).filter(Boolean)).toEqual([]);
  });

  it.each([...runs.values()].map((run) => [run.form, run.cwd, run] as const))(
    '%s (in %s)',
    async (_form, _cwd, { form, cwd, shownAt }) => {
      const { code, output } = await runAsNewcomer(form, cwd);
      const report = { form, cwd, shownAt, code, output: output.slice(-2_000) };
      expect({ ...report, code }).toEqual({ ...report, code: 0 });
      // pnpm exits 0 when a --filter matches nothing: that is a wrong package name, not a success.
      expect(output).not.toMatch(/No projects matched the filters/);
      expect(output).not.toMatch(/command not found|Missing script/);
    },
    120_000,
  );
});
