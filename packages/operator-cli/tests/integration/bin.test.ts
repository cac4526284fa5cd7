import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { verifyDevToken } from '@evcharge/local-identity';
import { describe, expect, it } from '@jest/globals';

// The root scripts run these files through tsx: check the real processes' exit codes and output.
const root = join(import.meta.dirname, '../../../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

function runBin(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, join(root, 'packages/operator-cli/src', file), ...args],
      {
        cwd: root,
        env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('CLI entry points', () => {
  it('pnpm dev-token prints a token and exits 0', async () => {
    const { code, stdout } = await runBin('dev-token.ts', ['alice']);
    expect(code).toBe(0);
    await expect(verifyDevToken(stdout.trim())).resolves.toEqual({ sub: 'alice' });
  });

  it.each([
    ['chargers.ts', ['register', 'bad id!'], /argument <chargerId>/],
    ['idtags.ts', ['add', 'T1'], /option --user is required/],
    ['dev-token.ts', [], /missing argument <userId>/],
    ['redrive.ts', ['--queue', 'x'], /--queue/],
  ])('%s %j exits 2 naming the argument', async (file, args, message) => {
    const { code, stdout, stderr } = await runBin(file, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it.each([
    ['chargers.ts', /npm run chargers -- register/],
    ['idtags.ts', /npm run idtags -- add/],
    ['dev-token.ts', /npm run dev-token -- <userId>/],
    ['redrive.ts', /npm run redrive -- \[--function/],
  ])('%s --help prints its usage on stdout and exits 0', async (file, usage) => {
    const { code, stdout } = await runBin(file, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(usage);
  });
});
