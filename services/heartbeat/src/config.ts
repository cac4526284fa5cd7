import { DEFAULT_LIVENESS_GRACE_S, DEFAULT_SWEEP_ALLOWANCE_S } from '@evcharge/domain';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';

// Read once per cold start; no network at import.

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** Grace after a clean disconnect, and the slack in the liveness window (2 × interval + grace). */
export const livenessGraceS = Number(process.env.LIVENESS_GRACE_S ?? DEFAULT_LIVENESS_GRACE_S);

/** How long past a deadline the sweeper leaves a charger for a sign of life still in flight. */
export const sweepAllowanceS = Number(process.env.SWEEP_ALLOWANCE_S ?? DEFAULT_SWEEP_ALLOWANCE_S);
