import { join, resolve } from 'node:path';

/** The repository root, found from this file's place in packages/local-cloud/src/config. */
export const repoRoot = resolve(import.meta.dirname, '../../../..');
export const servicesRoot = join(repoRoot, 'services');
export const stateDir = join(repoRoot, '.local-cloud');
export const oslsBin = join(repoRoot, 'node_modules/osls/bin/serverless.js');
