import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { integerEnv, optionalEnv, requiredEnv } from '@evcharge/middleware';
import { DEFAULT_REMOTE_REQUEST_TIMEOUT_S } from './remote-request-rules.js';
import { DEFAULT_METER_REQUEST_TIMEOUT_S } from './rules.js';

// Environment → typed config, read once per cold start. No network at import.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/** How long a user's meter request waits for the charger's Trigger reading before it is unavailable. */
export const meterRequestTimeoutS = integerEnv('METER_REQUEST_TIMEOUT_S', {
  min: 1,
  fallback: DEFAULT_METER_REQUEST_TIMEOUT_S,
});

/** How long a remote start/stop waits for the charger's answer; also the command's `expiresAt`. */
export const remoteRequestTimeoutS = integerEnv('REMOTE_REQUEST_TIMEOUT_S', {
  min: 1,
  fallback: DEFAULT_REMOTE_REQUEST_TIMEOUT_S,
});

// SQS's longest DelaySeconds: a longer timeout has no timer message and relies on the sweeper alone.
const MAX_SQS_DELAY_S = 900;
const timerDelayOf = (timeoutS: number) => (timeoutS <= MAX_SQS_DELAY_S ? timeoutS : undefined);

/** The one queue that delivers each request's timer at its deadline (the functions that create requests). */
const timerQueueUrl = optionalEnv('METER_REQUEST_TIMER_QUEUE_URL');

export const meterRequestTimer = { queueUrl: timerQueueUrl, delayS: timerDelayOf(meterRequestTimeoutS) };
export const remoteRequestTimer = { queueUrl: timerQueueUrl, delayS: timerDelayOf(remoteRequestTimeoutS) };
