import { join, resolve } from 'node:path';

// Where the local archive lives: the local cloud's S3 emulation keeps bucket `b`'s key `k` at `<data-dir>/s3/<b>/<k>`
// (README "Locally"), so the analytics read the same layout whether or not the local cloud runs.

export const localAccountId = '000000000000';
export const localRegion = 'us-east-1';

/** The archive bucket's name as serverless.yml derives it (custom.archiveBucketName) on the local account. */
export const archiveBucketName = (stage = 'local') =>
  `ev-charging-${stage}-telemetry-${localAccountId}-${localRegion}`;

export const repoRoot = resolve(import.meta.dirname, '../../../..');

/** The local cloud's data dir: --data-dir, else LOCAL_CLOUD_DATA_DIR, else its state dir (.local-cloud). */
export function localBucketDir(dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = dataDir ?? env.LOCAL_CLOUD_DATA_DIR ?? join(repoRoot, '.local-cloud');
  return join(resolve(root), 's3', archiveBucketName());
}
