import { randomUUID } from 'node:crypto';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AnomalyKind, InjectionRequest } from '../../src/anomalies.js';
import { type Fleet, startFleet } from '../../src/fleet.js';
import { type DetectorScore, openingsFromNotifications, scoreDetection } from '../../src/scoring.js';

// Detection scored end to end: the local cloud runs the telemetry service beside the services a session touches;
// a fleet of v2 (MQTT) chargers injects ≥ 20 episodes per detector, every message it sends may be delivered twice
// and readings overtaken by the next message; the `alert.opened` notifications are scored against the ground
// truth. Time factor 600 (sessions of seconds) and detector params shortened for the run; device time is real.

const EPISODES = 20;
const prefix = 'ANOM';
/** The telemetry params for this run (device time is real: the defaults would need a 10-minute stall). */
const params = {
  analysisWindowSeconds: '20',
  stalledAfterS: '10',
  siteLoadExpiryS: '20',
  siteLoadSharePercent: '90',
};
const windowMs = Number(params.analysisWindowSeconds) * 1000;
const SITE_GRID_LIMIT_W = 40_000;

const kinds: AnomalyKind[] = ['stalled-charging', 'meter-anomaly', 'flapping', 'site-load'];
// Two chargers a site: 20 site episodes on 20 sites; the other kinds spread over the same 40 chargers.
const chargers = 2 * EPISODES;
const requests: InjectionRequest[] = kinds.map((kind) => ({ kind, count: EPISODES }));

let cloud: LocalCloud;
let fleet: Fleet;

describe('injected anomalies, detected by the telemetry service through the local cloud', () => {
  beforeAll(async () => {
    cloud = await startLocalCloud({
      services: [
        'charge-authorization',
        'heartbeat',
        'metering',
        'notifications',
        'plug-events',
        'telemetry',
      ],
      params,
      ports: { mqtt: 0, aws: 0, http: 0 },
      ...(process.env.AWS_ENDPOINT_URL_DYNAMODB
        ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
        : {}),
      tableName: `sim-anomalies-${randomUUID().slice(0, 8)}`,
      quiet: true,
      timeFactor: 600,
    });
    fleet = await startFleet({
      mqttUrl: cloud.endpoints.mqttUrl,
      table: cloud.table,
      chargers: 0,
      v2Chargers: chargers,
      prefix,
      seed: 11,
      timeFactor: 600,
      // Nothing but the injected faults: no offline episodes (a disconnect each), no connector faults.
      offlineRate: 0,
      faultRate: 0,
      badInputRate: 0,
      idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
      // Two ordinary sessions of a site stay below 90 % of its limit (2 × 7.4 kW, stale entries included);
      // two members at 22 kW are above it.
      powerRangeW: [3_700, 7_400],
      chargersPerSite: 2,
      siteGridLimitW: SITE_GRID_LIMIT_W,
      duplicateRate: 0.2,
      reorderRate: 0.2,
      inject: {
        requests,
        seed: 3,
        params: {
          // Split by a window boundary anywhere, one part of a 24 s flat run still spans the detector's 10 s
          // plus a reading interval (1.5 s at this time factor).
          stalledS: 24,
          flappingDisconnects: 8,
          flappingGapS: 1,
          siteLoadS: 20,
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await cloud?.stop();
  });

  it('runs the telemetry service with this run’s detector params', () => {
    const analyse = cloud.functions.find((fn) => fn.id === 'telemetry.analyse');
    expect(analyse?.environment).toMatchObject({ STALLED_AFTER_S: params.stalledAfterS });
    expect(analyse?.kinesisStreams[0]?.tumblingWindowSeconds).toBe(Number(params.analysisWindowSeconds));
  });

  it('finds ≥ 95 % of the episodes of each detector, with ≥ 95 % of its alerts right', async () => {
    const expected = kinds.length * EPISODES;
    await cloud.waitFor(() => fleet.episodes().length >= expected || undefined, 420_000);
    expect(fleet.stats().delivery.duplicated).toBeGreaterThan(0);
    expect(fleet.stats().delivery.reordered).toBeGreaterThan(0);
    // The last episodes' alerts: the batch window, then a window's final invoke at the latest. Scored as soon
    // as every episode has its alert (false alerts seen until then count), else after that wait.
    const score = () =>
      scoreDetection(
        fleet.episodes(),
        openingsFromNotifications(cloud.notifications().map((notification) => notification.message)),
        { windowMs, kinds },
      );
    await cloud
      .waitFor(() => kinds.every((kind) => score()[kind].missed.length === 0), windowMs + 10_000)
      .catch(() => undefined);
    const scores = score();
    const summary = (score: DetectorScore) => ({
      kind: score.kind,
      episodes: score.episodes,
      precision: score.precision,
      recall: score.recall,
      missed: score.missed.map(
        (episode) =>
          `${episode.siteId ?? episode.chargerId} ${episode.deviceStartAt}–${episode.deviceEndAt} ${JSON.stringify(episode.detail)}`,
      ),
      skipped: fleet.stats().anomalies.skipped,
      spurious: score.spurious.map(
        (alert) => `${alert.chargerId} ${new Date(alert.openedAtMs).toISOString()}`,
      ),
    });
    // The figures the README quotes, one line per detector.
    for (const kind of kinds) {
      const { episodes, precision, recall } = scores[kind];
      process.stdout.write(
        `detection ${kind}: ${episodes} episodes, precision ${precision}, recall ${recall}\n`,
      );
    }
    // Each detector below the bar, with its misses and false alarms named.
    const failing = kinds
      .map((kind) => summary(scores[kind]))
      .filter((score) => score.episodes < EPISODES || score.precision < 0.95 || score.recall < 0.95);
    expect(failing).toEqual([]);
  }, 600_000);
});
