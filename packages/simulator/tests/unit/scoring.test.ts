import { describe, expect, it } from '@jest/globals';
import { type GroundTruthEpisode, groundTruthOf } from '../../src/anomalies.js';
import {
  type AlertOpening,
  openingsFromAlertItems,
  openingsFromNotifications,
  scoreDetection,
} from '../../src/scoring.js';

const minute = 60_000;
const t0 = Date.parse('2026-12-07T03:00:00.000Z');

const episode = (
  kind: GroundTruthEpisode['kind'],
  chargerId: string,
  startMin: number,
  endMin: number,
  extra: Parameters<typeof groundTruthOf>[2] & { interrupted?: boolean } = {},
): GroundTruthEpisode =>
  groundTruthOf(
    { episodeId: `${kind}-${chargerId}-${startMin}`, kind, chargerId },
    {
      startMs: t0 + startMin * minute,
      endMs: t0 + endMin * minute,
      ...(extra.interrupted ? { interrupted: true } : {}),
    },
    extra,
  );

const opening = (
  kind: string,
  chargerId: string,
  atMin: number,
  extra: Partial<AlertOpening> = {},
): AlertOpening => ({
  kind,
  chargerId,
  openedAtMs: t0 + atMin * minute,
  ...extra,
});

describe('scoreDetection', () => {
  it('finds an episode whose alert opens within it or one window after, and counts the rest', () => {
    const episodes = [
      episode('stalled-charging', 'A', 0, 15),
      episode('stalled-charging', 'B', 0, 15),
      episode('stalled-charging', 'C', 0, 15),
      episode('stalled-charging', 'D', 0, 15),
    ];
    const alerts = [
      opening('stalled-charging', 'A', 12), // within
      opening('stalled-charging', 'B', 29), // 14 min after the end: within one 15-min window
      opening('stalled-charging', 'C', 31), // too late: missed, and a false positive
      opening('stalled-charging', 'E', 5), // no episode on E
      opening('meter-anomaly', 'D', 5), // another detector's alert
    ];
    const score = scoreDetection(episodes, alerts, { windowMs: 15 * minute })['stalled-charging'];
    expect(score).toMatchObject({ episodes: 4, found: 2, alerts: 4, truePositives: 2, falsePositives: 2 });
    expect(score.precision).toBe(0.5);
    expect(score.recall).toBe(0.5);
    expect(score.missed.map((missed) => missed.chargerId)).toEqual(['C', 'D']);
    expect(score.spurious.map((alert) => alert.chargerId)).toEqual(['C', 'E']);
  });

  it('does not count an alert that opened before its episode', () => {
    const score = scoreDetection([episode('flapping', 'A', 10, 20)], [opening('flapping', 'A', 9)], {
      windowMs: minute,
    }).flapping;
    expect(score).toMatchObject({ found: 0, falsePositives: 1, precision: 0, recall: 0 });
  });

  it('takes a window per detector', () => {
    const episodes = [episode('flapping', 'A', 0, 10), episode('meter-anomaly', 'A', 0, 10)];
    const alerts = [opening('flapping', 'A', 30), opening('meter-anomaly', 'A', 30)];
    const scores = scoreDetection(episodes, alerts, {
      windowMs: { flapping: 60 * minute, 'meter-anomaly': minute },
    });
    expect(scores.flapping.recall).toBe(1);
    expect(scores['meter-anomaly'].recall).toBe(0);
  });

  it('counts an opening delivered twice once, and two episodes of one charger apart', () => {
    const episodes = [episode('meter-anomaly', 'A', 0, 1), episode('meter-anomaly', 'A', 30, 31)];
    const alerts = [
      opening('meter-anomaly', 'A', 0.5, { episode: 1 }),
      opening('meter-anomaly', 'A', 0.5, { episode: 1 }),
      opening('meter-anomaly', 'A', 30.5, { episode: 2 }),
    ];
    const score = scoreDetection(episodes, alerts, { windowMs: minute })['meter-anomaly'];
    expect(score).toMatchObject({ episodes: 2, found: 2, alerts: 2, precision: 1, recall: 1 });
  });

  it('matches a site-load alert by its site, or by one of the site’s chargers', () => {
    const episodes = [
      episode('site-load', 'S1-A', 0, 15, { siteId: 'S1', chargerIds: ['S1-A', 'S1-B'] }),
      episode('site-load', 'S2-A', 0, 15, { siteId: 'S2', chargerIds: ['S2-A', 'S2-B'] }),
    ];
    const alerts = [
      opening('site-load', 'S1-B', 3, { siteId: 'S1' }),
      opening('site-load', 'S2-B', 4),
      opening('site-load', 'S3-A', 4, { siteId: 'S3' }),
    ];
    const score = scoreDetection(episodes, alerts, { windowMs: minute })['site-load'];
    expect(score).toMatchObject({ found: 2, truePositives: 2, falsePositives: 1, recall: 1 });
  });

  it('leaves interrupted episodes out of recall, without calling their alerts false', () => {
    const episodes = [
      episode('stalled-charging', 'A', 0, 5, { interrupted: true }),
      episode('stalled-charging', 'B', 0, 15),
    ];
    const alerts = [opening('stalled-charging', 'A', 4), opening('stalled-charging', 'B', 12)];
    const score = scoreDetection(episodes, alerts, { windowMs: minute })['stalled-charging'];
    expect(score).toMatchObject({ episodes: 1, found: 1, falsePositives: 0, precision: 1, recall: 1 });
    const all = scoreDetection(episodes, [], { windowMs: minute, includeInterrupted: true })[
      'stalled-charging'
    ];
    expect(all).toMatchObject({ episodes: 2, found: 0, recall: 0, precision: 1 });
  });
});

describe('openings', () => {
  it('reads alert.opened notifications and ignores the rest', () => {
    const messages = [
      JSON.stringify({
        version: 1,
        kind: 'alert.opened',
        at: '2026-12-07T03:01:00.000Z',
        audience: 'operator',
        chargerId: 'SIM-001',
        data: { alertKind: 'flapping', episode: 2, firstSeenAt: '2026-12-07T03:01:00.000Z', detail: '…' },
      }),
      JSON.stringify({ kind: 'alert.cleared', chargerId: 'SIM-001', data: { alertKind: 'flapping' } }),
      JSON.stringify({ kind: 'charger.offline', chargerId: 'SIM-001', at: '2026-12-07T03:01:00.000Z' }),
      'not json',
    ];
    expect(openingsFromNotifications(messages)).toEqual([
      {
        chargerId: 'SIM-001',
        kind: 'flapping',
        openedAtMs: Date.parse('2026-12-07T03:01:00.000Z'),
        episode: 2,
      },
    ]);
  });

  it('reads Alert items by their keys', () => {
    expect(
      openingsFromAlertItems([
        {
          pk: 'CHARGER#SIM-004',
          sk: 'ALERT#meter-anomaly',
          firstSeenAt: '2026-12-07T03:02:00.000Z',
          lastSeenAt: '2026-12-07T03:05:00.000Z',
          episodes: 3,
        },
        { pk: 'CHARGER#SIM-004', sk: 'CONNECTOR#1' },
      ]),
    ).toEqual([
      {
        chargerId: 'SIM-004',
        kind: 'meter-anomaly',
        openedAtMs: Date.parse('2026-12-07T03:02:00.000Z'),
        episode: 3,
      },
    ]);
  });
});
