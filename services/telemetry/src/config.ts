import { createDocumentClient, type TableContext } from '@evcharge/dynamo';
import { integerEnv, requiredEnv } from '@evcharge/middleware';
import { defaultThresholds, type Thresholds } from './detectors/index.js';

// Read once per cold start; no network at import. Each threshold is a param of serverless.yml (README).

export const table: TableContext = { client: createDocumentClient(), tableName: requiredEnv('TABLE_NAME') };

const { stalledCharging, meterAnomaly, flapping, siteLoad } = defaultThresholds;

export const thresholds: Thresholds = {
  stalledCharging: {
    stalledAfterMs: integerEnv('STALLED_AFTER_S', { fallback: stalledCharging.stalledAfterMs / 1000 }) * 1000,
    maxPowerW: integerEnv('STALLED_MAX_POWER_W', { fallback: stalledCharging.maxPowerW }),
    maxRegisterDeltaWh: integerEnv('STALLED_MAX_REGISTER_DELTA_WH', {
      fallback: stalledCharging.maxRegisterDeltaWh,
    }),
  },
  meterAnomaly: {
    maxPowerW: integerEnv('CONNECTOR_MAX_POWER_W', { min: 1, fallback: meterAnomaly.maxPowerW }),
    toleranceWh: integerEnv('METER_TOLERANCE_WH', { fallback: meterAnomaly.toleranceWh }),
  },
  flapping: {
    maxDisconnects: integerEnv('FLAPPING_MAX_TRANSITIONS', { fallback: flapping.maxDisconnects }),
    periodMs: flapping.periodMs,
  },
  siteLoad: {
    share:
      integerEnv('SITE_LOAD_SHARE_PERCENT', { min: 1, fallback: Math.round(siteLoad.share * 100) }) / 100,
    expiryMs: integerEnv('SITE_LOAD_EXPIRY_S', { min: 1, fallback: siteLoad.expiryMs / 1000 }) * 1000,
    minChangeW: integerEnv('SITE_LOAD_MIN_CHANGE_W', { fallback: siteLoad.minChangeW }),
  },
};
