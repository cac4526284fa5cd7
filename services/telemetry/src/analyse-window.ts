import type { Logger } from '@evcharge/middleware';
import type {
  KinesisStreamRecord,
  KinesisStreamStateResponse,
  KinesisStreamTumblingWindowEvent,
} from 'aws-lambda';
import type { AlertChange } from './alert-rules.js';
import {
  analyseWindow,
  chargersNeedingHistory,
  connectorsNeedingStatus,
  type Finding,
  historiesToStore,
  type MeterObservation,
  type Observation,
  observationsOf,
  type PresenceObservation,
  type StatusObservation,
  type Thresholds,
  windowStateOf,
  withHistory,
  withObservations,
} from './detectors/index.js';
import {
  analyseSiteLoad,
  type SiteDependencies,
  saveHourlyEnergy,
  withEnergy,
  withSites,
} from './site-window.js';

export interface AnalyseDependencies extends SiteDependencies {
  thresholds: Thresholds;
  applyFinding: (finding: Finding) => Promise<AlertChange>;
  storedConnectorStatus: (chargerId: string, connectorId: number) => Promise<StatusObservation | undefined>;
  loadPresenceHistory: (chargerId: string) => Promise<PresenceObservation[]>;
  savePresenceHistory: (chargerId: string, events: PresenceObservation[]) => Promise<void>;
  logger: Logger;
}

/** A record's observations; one that is not JSON is logged and skipped (the archive keeps it, a retry would not help). */
function recordObservations(record: KinesisStreamRecord, logger: Logger): Observation[] {
  try {
    return observationsOf(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')));
  } catch (error) {
    logger.warn('unreadable analysis record skipped', {
      sequenceNumber: record.kinesis.sequenceNumber,
      error: error as Error,
    });
    return [];
  }
}

/**
 * One invocation of a tumbling window: add the batch's observations to the window's state, run the detectors, write
 * each finding to its alert. A failed write reports the batch's first record as failed and hands back the state it
 * was given, so Lambda's retry recomputes the same findings (alert writes are idempotent).
 */
export async function analyseBatch(
  event: KinesisStreamTumblingWindowEvent,
  dependencies: AnalyseDependencies,
): Promise<
  KinesisStreamStateResponse & { findings: number; alertChanges: Record<string, number>; energyHours: number }
> {
  const { logger } = dependencies;
  // An event without records or window (not from a Kinesis event source) is an empty batch, not a crash.
  const records = event.Records ?? [];
  const given = windowStateOf(event.state);
  const batch = records.flatMap((record) => recordObservations(record, logger));
  const alertChanges: Record<string, number> = {};
  try {
    let state = given;
    for (const chargerId of chargersNeedingHistory(state, batch))
      state = withHistory(state, chargerId, await dependencies.loadPresenceHistory(chargerId));
    const beforeBatch = state;
    state = withObservations(state, batch);
    const stored = await Promise.all(
      connectorsNeedingStatus(state, dependencies.thresholds).map((key) => {
        const [chargerId = '', connectorId = '0'] = key.split('#');
        return dependencies.storedConnectorStatus(chargerId, Number(connectorId));
      }),
    );
    state = withObservations(
      state,
      stored.filter((status) => status !== undefined),
    );
    const invocation = {
      final: event.isFinalInvokeForWindow === true,
      windowEnd: Date.parse(event.window?.end ?? ''),
    };
    const analysed = analyseWindow(state, invocation, dependencies.thresholds);
    const counted = (change: AlertChange) => {
      alertChanges[change.type] = (alertChanges[change.type] ?? 0) + 1;
      if (change.type !== 'none') logger.info('alert changed', { ...change.alert, change: change.type });
    };
    for (const finding of analysed.findings) counted(await dependencies.applyFinding(finding));
    for (const history of historiesToStore(beforeBatch, state, dependencies.thresholds.flapping.periodMs))
      await dependencies.savePresenceHistory(history.chargerId, history.events);
    const readings = batch.filter(
      (observation): observation is MeterObservation => observation.type === 'meter',
    );
    state = withEnergy(
      await withSites(
        analysed.state,
        readings.map((reading) => reading.chargerId),
        dependencies,
      ),
      readings,
    );
    const siteLoad = await analyseSiteLoad(
      state,
      readings,
      batch.filter((observation): observation is StatusObservation => observation.type === 'status'),
      invocation,
      dependencies.thresholds.siteLoad,
      dependencies,
    );
    siteLoad.changes.forEach(counted);
    const energyHours = invocation.final ? await saveHourlyEnergy(siteLoad.state, dependencies) : 0;
    return {
      state: siteLoad.state,
      batchItemFailures: [],
      findings: analysed.findings.length + siteLoad.changes.length,
      alertChanges,
      energyHours,
    };
  } catch (error) {
    const first = records[0]?.kinesis.sequenceNumber;
    logger.error('analysis failed, Lambda retries the batch', { error: error as Error });
    return {
      state: given,
      batchItemFailures: first ? [{ itemIdentifier: first }] : [],
      findings: 0,
      alertChanges,
      energyHours: 0,
    };
  }
}
