import { join } from 'node:path';
import { timeoutMsOf } from './functions.js';
import { discoverServices } from './load-cloud-config.js';
import { servicesRoot } from './paths.js';
import { printService } from './serverless-print.js';

/**
 * Every function's timeout from its service's serverless.yml (resolved by `serverless print`, cached), keyed
 * `<service folder>.<function key>`: what tests hand a handler as its remaining time, as Lambda would.
 * (`@evcharge/local-cloud/config`)
 */
export async function configuredTimeouts(stage = 'local'): Promise<Record<string, number>> {
  const timeouts: Record<string, number> = {};
  await Promise.all(
    discoverServices().map(async (service) => {
      const printed = await printService(join(servicesRoot, service), stage);
      for (const [key, fn] of Object.entries(printed.functions ?? {}))
        timeouts[`${service}.${key}`] = timeoutMsOf(printed, fn);
    }),
  );
  return timeouts;
}
