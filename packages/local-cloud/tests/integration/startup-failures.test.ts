import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { startProbeCloud } from '../helpers/probe-cloud.js';

describe('start-up', () => {
  it('fails on a rule the engine cannot evaluate, naming the rule and the construct', async () => {
    await expect(
      startProbeCloud({ services: [join(import.meta.dirname, '../fixtures/services/bad-sql')] }),
    ).rejects.toThrow(/rule bad_sql_local_lowercase: unsupported SQL construct function lower\(\)/);
  }, 60_000);
});
