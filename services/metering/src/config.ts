import { DEFAULT_METER_REQUEST_TIMEOUT_S } from '@evcharge/domain';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';

// Environment → typed config, read once per cold start. No network at import.

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function positiveIntegerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** How long a user's meter request waits for the charger's Trigger reading before it is unavailable. */
export const meterRequestTimeoutS = positiveIntegerEnv(
  'METER_REQUEST_TIMEOUT_S',
  DEFAULT_METER_REQUEST_TIMEOUT_S,
);

// SQS's longest DelaySeconds: a longer timeout has no timer message and relies on the sweeper alone.
const MAX_SQS_DELAY_S = 900;

/** The queue that delivers each request's timer at its deadline (createMeterRequest only). */
export const meterRequestTimer = {
  queueUrl: process.env.METER_REQUEST_TIMER_QUEUE_URL,
  delayS: meterRequestTimeoutS <= MAX_SQS_DELAY_S ? meterRequestTimeoutS : undefined,
};
