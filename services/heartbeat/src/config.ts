import { DEFAULT_LIVENESS_BACKSTOP_S, DEFAULT_LIVENESS_GRACE_S } from '@evcharge/domain';
import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { integerEnv, requiredEnv } from '@evcharge/middleware';
import {
  coalesceWindowMs,
  DEFAULT_HEARTBEAT_COALESCE_S,
  DEFAULT_METER_SAMPLE_INTERVAL_S,
  DEFAULT_SWEEP_ALLOWANCE_S,
  type LivenessSettings,
} from './rules.js';

// Read once per cold start; no network at import.

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

/**
 * Grace after a clean disconnect (also the slack in a silence window of 2 × interval + grace), and the
 * backstop: the shortest silence after which a charger that stays connected is taken offline.
 */
export const liveness: LivenessSettings = {
  graceS: integerEnv('LIVENESS_GRACE_S', { fallback: DEFAULT_LIVENESS_GRACE_S }),
  backstopS: integerEnv('LIVENESS_BACKSTOP_S', { fallback: DEFAULT_LIVENESS_BACKSTOP_S }),
};

/** How long past a deadline the sweeper leaves a charger for a sign of life still in flight. */
export const sweepAllowanceS = integerEnv('SWEEP_ALLOWANCE_S', { fallback: DEFAULT_SWEEP_ALLOWANCE_S });

/** The MeterValueSampleInterval a boot answer asks for. */
export const meterSampleIntervalS = integerEnv('METER_SAMPLE_INTERVAL_S', {
  fallback: DEFAULT_METER_SAMPLE_INTERVAL_S,
});

/** A heartbeat this container wrote less than this ago, changing nothing else, is not written again. */
export const heartbeatCoalesceMs = coalesceWindowMs(
  integerEnv('HEARTBEAT_COALESCE_S', { fallback: DEFAULT_HEARTBEAT_COALESCE_S }),
  liveness,
);
