import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { integerEnv, optionalEnv, requiredEnv } from '@evcharge/middleware';
import { DEFAULT_METER_REQUEST_TIMEOUT_S } from './rules.js';

// Environment → typed config, read once per cold start. No network at import.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** How long a user's meter request waits for the charger's Trigger reading before it is unavailable. */
export const meterRequestTimeoutS = integerEnv('METER_REQUEST_TIMEOUT_S', {
  min: 1,
  fallback: DEFAULT_METER_REQUEST_TIMEOUT_S,
});

// SQS's longest DelaySeconds: a longer timeout has no timer message and relies on the sweeper alone.
const MAX_SQS_DELAY_S = 900;

/** The queue that delivers each request's timer at its deadline (createMeterRequest only). */
export const meterRequestTimer = {
  queueUrl: optionalEnv('METER_REQUEST_TIMER_QUEUE_URL'),
  delayS: meterRequestTimeoutS <= MAX_SQS_DELAY_S ? meterRequestTimeoutS : undefined,
};
