import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isIsolated } from '../../src/lanes.js';

const root = join(import.meta.dirname, '../../../..');
const suite = (path: string) => join(root, path);

describe('which suites run alone', () => {
  it('every end-to-end and reliability suite', () => {
    const reliability = readdirSync(suite('packages/reliability/tests')).filter((name) =>
      name.endsWith('.test.ts'),
    );
    expect(reliability.length).toBeGreaterThan(5);
    for (const name of reliability)
      expect(isIsolated(root, suite(`packages/reliability/tests/${name}`))).toBe(true);
    expect(isIsolated(root, suite('services/metering/tests/e2e/on-demand-reading.test.ts'))).toBe(true);
  });

  it('a suite that says `@lane isolated` in its first lines, and no other', () => {
    expect(isIsolated(root, suite('services/charge-authorization/tests/integration/authorize.test.ts'))).toBe(
      true,
    );
    expect(isIsolated(root, suite('services/metering/tests/integration/api.test.ts'))).toBe(false);
    expect(isIsolated(root, suite('packages/testing/tests/unit/lanes.test.ts'))).toBe(false);
  });
});
