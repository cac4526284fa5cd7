import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { shippedBuildOptions } from '../lambda/bundles.js';
import { runtimeTarget } from './functions.js';
import { servicesRoot } from './paths.js';
import { printService } from './serverless-print.js';

/**
 * The esbuild options `sls package` bundles a service's functions with, from its resolved `custom.esbuild`
 * (`serverless print`, cached): the one derivation the local cloud and the benchmark share.
 * (`@evcharge/local-cloud/build`)
 */
export async function shippedBuildOptionsOf(service: string, stage = 'local'): Promise<BuildOptions> {
  const serviceDir = join(servicesRoot, service);
  const printed = await printService(serviceDir, stage);
  return shippedBuildOptions(
    printed.custom?.esbuild ?? {},
    runtimeTarget(printed.provider.runtime),
    serviceDir,
  );
}
