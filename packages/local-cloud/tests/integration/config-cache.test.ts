// @lane isolated: `serverless print` of every service takes a CPU for a while.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { discoverServices } from '../../src/config/load-cloud-config.js';
import { repoRoot, servicesRoot } from '../../src/config/paths.js';
import { configInputs, printService, printServiceUncached } from '../../src/config/serverless-print.js';

// The local cloud resolves each serverless.yml once and caches it by the hash of every file print reads; the
// cache must never drift from the framework, so each service's cached config is compared with a fresh print.
describe('the config cache against osls print', () => {
  it('keys each service by its serverless.yml and every file its file() variables name, recursively', async () => {
    expect(await configInputs(join(servicesRoot, 'storage'))).toEqual([
      join(repoRoot, 'packages/dynamo/src/table-definition.json'),
      join(repoRoot, 'serverless.common.yml'),
      join(servicesRoot, 'storage/serverless.yml'),
    ]);
    expect(await configInputs(join(servicesRoot, 'metering'))).toEqual([
      join(repoRoot, 'serverless.common.yml'),
      join(servicesRoot, 'metering/serverless.yml'),
    ]);
  });

  it.each(discoverServices())(
    '%s: the cached config equals what osls print resolves now',
    async (service) => {
      const serviceDir = join(servicesRoot, service);
      const [cached, fresh] = await Promise.all([
        printService(serviceDir, 'local'),
        printServiceUncached(serviceDir, 'local'),
      ]);
      expect(cached).toEqual(fresh);
    },
    120_000,
  );
});
