import { createLogger } from '@evcharge/middleware';
import { analyseBatch } from '../analyse-window.js';
import { table, thresholds } from '../config.js';
import {
  applyFinding,
  chargerSite,
  loadPresenceHistory,
  raiseSiteEnergyHour,
  readSiteLoad,
  recordSitePower,
  saveChargerEnergyHour,
  savePresenceHistory,
  siteGridLimitW,
  storedConnectorStatus,
} from '../store.js';
import { tumblingWindowHandler } from '../tumbling-window-handler.js';

const logger = createLogger('telemetry-analyse');

/** Kinesis (analysis rules) → detectors over a tumbling window → Alert items; see README "Pattern analysis". */
export const handler = tumblingWindowHandler({
  logger,
  handler: async (event) => {
    const result = await analyseBatch(event, {
      thresholds,
      logger,
      applyFinding: (finding) => applyFinding(table, finding),
      storedConnectorStatus: (chargerId, connectorId) => storedConnectorStatus(table, chargerId, connectorId),
      loadPresenceHistory: (chargerId) => loadPresenceHistory(table, chargerId),
      savePresenceHistory: (chargerId, events) => savePresenceHistory(table, chargerId, events, new Date()),
      chargerSite: (chargerId) => chargerSite(table, chargerId),
      siteGridLimitW: (siteId) => siteGridLimitW(table, siteId),
      recordSitePower: (siteId, key, entry) => recordSitePower(table, siteId, key, entry),
      readSiteLoad: (siteId) => readSiteLoad(table, siteId),
      saveChargerEnergyHour: (chargerId, hour, seen) => saveChargerEnergyHour(table, chargerId, hour, seen),
      raiseSiteEnergyHour: (siteId, hour, chargerId, wh) =>
        raiseSiteEnergyHour(table, siteId, hour, chargerId, wh),
    });
    logger.info('window invocation', {
      records: event.Records?.length ?? 0,
      window: event.window,
      final: event.isFinalInvokeForWindow,
      findings: result.findings,
      alertChanges: result.alertChanges,
      energyHours: result.energyHours,
      failed: result.batchItemFailures?.length ?? 0,
    });
    return { state: result.state, batchItemFailures: result.batchItemFailures ?? [] };
  },
});
