import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectFor } from '../../../../jest.config.js';

const root = join(import.meta.dirname, '../../../..');

/** Runs the fixture suite in a jest of its own with the workspace's config, as `npm test` would. */
function runFixture(env: Record<string, string> = {}) {
  const config = {
    ...projectFor(join(root, 'packages/testing')),
    testMatch: ['<rootDir>/tests/fixtures/logs.fixture.ts'],
  };
  const run = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      join(root, 'node_modules/jest/bin/jest.js'),
      '--config',
      JSON.stringify(config),
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, TEST_LOGS: '', ...env } },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the quiet test environment', () => {
  it("prints a failing test's own handler logs, and nothing of a passing test's", () => {
    const { status, output } = runFixture();
    expect(status).toBe(1);
    expect(output).toContain('handler logs of the failed test "fails"');
    expect(output).toContain('line of the failing test');
    expect(output).toContain('error line of the failing test');
    expect(output).not.toContain('line of the passing test');
  }, 60_000);

  it('TEST_LOGS=1 lets every log line through', () => {
    const { output } = runFixture({ TEST_LOGS: '1' });
    expect(output).toContain('line of the passing test');
    expect(output).not.toContain('handler logs of the failed test');
  }, 60_000);
});
