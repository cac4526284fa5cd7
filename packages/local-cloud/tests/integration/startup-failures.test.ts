import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { probeServiceDir, startProbeCloud } from '../helpers/probe-cloud.js';

describe('start-up', () => {
  it('fails on a rule the engine cannot evaluate, naming the rule and the construct', async () => {
    await expect(
      startProbeCloud({ services: [join(import.meta.dirname, '../fixtures/services/bad-sql')] }),
    ).rejects.toThrow(/rule bad_sql_local_lowercase: unsupported SQL construct function lower\(\)/);
  }, 60_000);

  it('leaves out a service that says what it declares cannot be emulated locally, with its reason', async () => {
    const notEmulated = join(import.meta.dirname, '../fixtures/services/not-emulated');
    const cloud = await startProbeCloud({ services: [probeServiceDir, notEmulated] });
    try {
      expect(cloud.startup.notRun).toEqual([
        { service: 'not-emulated', reason: 'Kinesis Data Streams are not emulated locally yet' },
      ]);
      expect(cloud.functions.map((fn) => fn.service)).not.toContain('not-emulated');
      expect(cloud.functions.length).toBeGreaterThan(0);
    } finally {
      await cloud.stop();
    }
  }, 60_000);
});
