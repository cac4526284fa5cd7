import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  ChargerInjection,
  DEFAULT_INJECTION_PARAMS,
  GroundTruth,
  type InjectionParams,
  type PlannedEpisode,
  parseInjectionSpec,
  planEpisodes,
  SiteLoadEpisode,
} from '../../src/anomalies.js';
import { parseGroundTruth } from '../../src/scoring.js';
import { offlineCharger, type ReadingOf } from '../helpers/offline-charger.js';

describe('parseInjectionSpec', () => {
  it('reads counts and named chargers, short and full kind names', () => {
    expect(
      parseInjectionSpec('stalled:3, meter:2,flapping:0,site-load:1,meter-anomaly=SIM-001+SIM-004'),
    ).toEqual([
      { kind: 'stalled-charging', count: 3 },
      { kind: 'meter-anomaly', count: 2 },
      { kind: 'flapping', count: 0 },
      { kind: 'site-load', count: 1 },
      { kind: 'meter-anomaly', targets: ['SIM-001', 'SIM-004'] },
    ]);
    expect(parseInjectionSpec('')).toEqual([]);
  });

  it.each(['stalled', 'bogus:2', 'meter:-1', 'meter:1.5', 'flapping=SIM 1'])('refuses %p', (text) => {
    expect(() => parseInjectionSpec(text)).toThrow(RangeError);
  });
});

describe('planEpisodes', () => {
  const eligible = {
    all: ['A-001', 'A-002', 'A-003', 'A-004'],
    withStatus: ['A-003', 'A-004'],
    sites: { 'A-S01': ['A-003', 'A-004'] },
  };
  const noSite = () => {
    throw new Error('no site expected');
  };

  it('spreads counted episodes over distinct chargers, the same way for a seed', () => {
    const planned = planEpisodes([{ kind: 'flapping', count: 4 }], eligible, 9, noSite);
    expect(new Set(planned.map((episode) => episode.chargerId)).size).toBe(4);
    expect(planEpisodes([{ kind: 'flapping', count: 4 }], eligible, 9, noSite)).toEqual(planned);
    expect(new Set(planned.map((episode) => episode.episodeId)).size).toBe(4);
  });

  it('gives stalls only to chargers that report status, and a site episode to every member', () => {
    const stalled = planEpisodes([{ kind: 'stalled-charging', count: 3 }], eligible, 1, noSite);
    expect(stalled.every((episode) => eligible.withStatus.includes(episode.chargerId))).toBe(true);
    const sites: string[] = [];
    const site = planEpisodes(
      [{ kind: 'site-load', targets: ['A-S01'] }],
      eligible,
      1,
      (siteId, members, id) => {
        sites.push(`${siteId}:${members.join('+')}:${id}`);
        return {} as SiteLoadEpisode;
      },
    );
    expect(sites).toEqual(['A-S01:A-003+A-004:site-load-001']);
    expect(site.map((episode) => episode.chargerId)).toEqual(['A-003', 'A-004']);
  });

  it('refuses a named charger that cannot take the kind', () => {
    expect(() =>
      planEpisodes([{ kind: 'stalled-charging', targets: ['A-001'] }], eligible, 1, noSite),
    ).toThrow(/A-001/);
  });
});

describe('GroundTruth', () => {
  it('appends one JSON line per episode as it finishes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'truth-'));
    try {
      const path = join(dir, 'nested', 'ground-truth.jsonl');
      const truth = new GroundTruth(path);
      const injection = new ChargerInjection([], DEFAULT_INJECTION_PARAMS, truth, () => 0);
      const episode: PlannedEpisode = { episodeId: 'flapping-001', kind: 'flapping', chargerId: 'A-001' };
      injection.finish(episode, { startMs: 1_000, endMs: 61_000 }, { detail: { disconnects: 8 } });
      expect(parseGroundTruth(readFileSync(path, 'utf8'))).toEqual([
        {
          episodeId: 'flapping-001',
          kind: 'flapping',
          chargerId: 'A-001',
          deviceStartAt: '1970-01-01T00:00:01.000Z',
          deviceEndAt: '1970-01-01T00:01:01.000Z',
          realStartAt: '1970-01-01T00:00:01.000Z',
          realEndAt: '1970-01-01T00:01:01.000Z',
          detail: { disconnects: 8 },
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- episodes as chargers run them (fake timers, no network) ----------------------------------------------

const params: InjectionParams = {
  ...DEFAULT_INJECTION_PARAMS,
  stalledS: 120,
  flappingDisconnects: 8,
  flappingGapS: 4,
  siteLoadS: 60,
};

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-07T00:00:00.000Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

async function runFor(charger: { stop(): Promise<void> }, realMs: number): Promise<void> {
  for (let elapsed = 0; elapsed < realMs; elapsed += 1_000) await jest.advanceTimersByTimeAsync(1_000);
  const stopped = charger.stop();
  await jest.advanceTimersByTimeAsync(120_000);
  await stopped;
}

function injected(kind: PlannedEpisode['kind'], chargerId: string) {
  const truth = new GroundTruth(undefined);
  const planned: PlannedEpisode = { episodeId: `${kind}-001`, kind, chargerId };
  return { truth, injection: new ChargerInjection([planned], params, truth, () => Date.now()) };
}

const stepsOf = (readings: ReadingOf[]) =>
  [...readings]
    .sort((a, b) => a.atMs - b.atMs)
    .map((to, index, all) => ({ from: all[index - 1], to }))
    .slice(1) as { from: ReadingOf; to: ReadingOf }[];

const impossible = ({ from, to }: { from: ReadingOf; to: ReadingOf }) => {
  const rise = to.registerWh - from.registerWh;
  return rise < -10 || rise > (22_000 * (to.atMs - from.atMs)) / 3_600_000 + 10;
};

describe.each(['v1', 'v2'] as const)('a %s charger injecting a meter anomaly', (protocol) => {
  it('sends one impossible step, then the true register again, inside the recorded episode', async () => {
    const { truth, injection } = injected('meter-anomaly', protocol === 'v1' ? 'UNIT-001' : 'UNIT-002');
    const { charger, readings } = offlineCharger({ protocol, timeFactor: 60, seed: 2, injection });
    await charger.connect();
    charger.start();
    await runFor(charger, 240_000);

    expect(truth.episodes).toHaveLength(1);
    const episode = truth.episodes[0]!;
    expect(episode.interrupted).toBeUndefined();
    const startMs = Date.parse(episode.deviceStartAt);
    const endMs = Date.parse(episode.deviceEndAt);
    expect(endMs).toBeGreaterThan(startMs);
    const connectorReadings = readings().filter((reading) => reading.connectorId === episode.connectorId);
    const bad = stepsOf(connectorReadings).filter(impossible);
    expect(bad.length).toBeGreaterThanOrEqual(1);
    // Every impossible step ends at the wrong reading or the one that puts it right.
    for (const step of bad) expect([startMs, endMs]).toContain(step.to.atMs);
    expect(bad.some((step) => step.to.atMs === startMs)).toBe(true);
  });
});

describe('a v2 charger injecting a stall', () => {
  it('stays Charging at 0 W with a flat register for the stall, readings still coming', async () => {
    const { truth, injection } = injected('stalled-charging', 'UNIT-002');
    const { charger, readings, sent } = offlineCharger({
      protocol: 'v2',
      timeFactor: 60,
      seed: 2,
      injection,
    });
    await charger.connect();
    charger.start();
    await runFor(charger, 400_000);

    expect(truth.episodes).toHaveLength(1);
    const episode = truth.episodes[0]!;
    const startMs = Date.parse(episode.deviceStartAt);
    const endMs = Date.parse(episode.deviceEndAt);
    expect(endMs - startMs).toBeGreaterThanOrEqual(params.stalledS * 1000);
    const during = readings().filter(
      (reading) =>
        reading.connectorId === episode.connectorId && reading.atMs >= startMs && reading.atMs <= endMs,
    );
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(during.every((reading) => reading.powerW === 0)).toBe(true);
    expect(new Set(during.map((reading) => reading.registerWh)).size).toBe(1);
    // The connector's last status before the stall is Charging, and none comes during it.
    const statuses = sent.filter(
      (message) => message.topic.endsWith('/status') && message.payload.connectorId === episode.connectorId,
    );
    const before = statuses.filter((message) => Date.parse(message.payload.at as string) <= startMs).at(-1);
    expect(before?.payload.status).toBe('Charging');
    expect(
      statuses.some((message) => {
        const at = Date.parse(message.payload.at as string);
        return at > startMs && at <= endMs;
      }),
    ).toBe(false);
    // Power comes back after it (the recovery reading).
    const after = readings().find(
      (reading) => reading.connectorId === episode.connectorId && reading.atMs > endMs,
    );
    expect(after?.powerW).toBeGreaterThan(0);
  });
});

describe.each(['v1', 'v2'] as const)('a %s charger injecting flapping', (protocol) => {
  it('drops its link uncleanly and reconnects, as many times as asked', async () => {
    const { truth, injection } = injected('flapping', protocol === 'v1' ? 'UNIT-001' : 'UNIT-002');
    const { charger, links } = offlineCharger({ protocol, timeFactor: 60, seed: 2, injection });
    await charger.connect();
    charger.start();
    await runFor(charger, 120_000);

    expect(truth.episodes).toHaveLength(1);
    const episode = truth.episodes[0]!;
    expect(episode.detail).toEqual({ disconnects: 8, gapS: 4 });
    expect(links.filter((link) => link === 'dropped')).toHaveLength(8);
    // Connected first, then each drop followed by a reconnect.
    expect(links.slice(0, 3)).toEqual(['connected', 'dropped', 'connected']);
    const durationMs = Date.parse(episode.deviceEndAt) - Date.parse(episode.deviceStartAt);
    expect(durationMs).toBeGreaterThanOrEqual(7 * params.flappingGapS * 1000);
  });
});

describe('a site-load episode', () => {
  it('starts when every member charges at full power, and releases them together', async () => {
    const truth = new GroundTruth(undefined);
    const site = new SiteLoadEpisode(
      'UNIT-S01',
      ['UNIT-002', 'UNIT-003'],
      'site-load-001',
      params,
      truth,
      () => Date.now(),
      60_000,
    );
    const chargers = ['UNIT-002', 'UNIT-003'].map((chargerId, index) => {
      const planned: PlannedEpisode = { episodeId: 'site-load-001', kind: 'site-load', chargerId, site };
      return offlineCharger({
        protocol: 'v2',
        chargerId,
        timeFactor: 60,
        seed: 10 + index,
        injection: new ChargerInjection([planned], params, truth, () => Date.now()),
      });
    });
    for (const { charger } of chargers) {
      await charger.connect();
      charger.start();
    }
    for (let elapsed = 0; elapsed < 200_000; elapsed += 1_000) await jest.advanceTimersByTimeAsync(1_000);
    await Promise.all(chargers.map(({ charger }) => charger.stop().catch(() => undefined)));

    expect(truth.episodes).toHaveLength(1);
    const episode = truth.episodes[0]!;
    expect(episode).toMatchObject({
      kind: 'site-load',
      siteId: 'UNIT-S01',
      chargerIds: ['UNIT-002', 'UNIT-003'],
    });
    const startMs = Date.parse(episode.deviceStartAt);
    const allDrawingMs = Date.parse(String(episode.detail.allDrawingAt));
    const endMs = Date.parse(episode.deviceEndAt);
    // From the first member's full-power draw; together for siteLoadS once the last one joined.
    expect(allDrawingMs).toBeGreaterThanOrEqual(startMs);
    expect(endMs - allDrawingMs).toBe(params.siteLoadS * 1000);
    // Both draw full power while they are together.
    for (const { readings } of chargers) {
      const during = readings().filter((reading) => reading.atMs >= allDrawingMs && reading.atMs <= endMs);
      expect(during.length).toBeGreaterThanOrEqual(2);
      expect(during.every((reading) => reading.powerW === params.siteLoadPowerW)).toBe(true);
    }
  });
});

describe('a site-load episode not every member joins', () => {
  it('starts at the first member’s full-power draw, and is recorded as interrupted', async () => {
    const truth = new GroundTruth(undefined);
    const site = new SiteLoadEpisode(
      'S',
      ['A', 'B'],
      'site-load-001',
      params,
      truth,
      () => Date.now(),
      5_000,
    );
    const joinedAt = Date.now();
    const released = site.join('A', joinedAt - 500);
    // B never comes: after the join timeout A draws alone for siteLoadS.
    await jest.advanceTimersByTimeAsync(5_000 + params.siteLoadS * 1000);
    await released;
    expect(truth.episodes).toEqual([
      expect.objectContaining({
        chargerIds: ['A'],
        interrupted: true,
        deviceStartAt: new Date(joinedAt - 500).toISOString(),
        deviceEndAt: new Date(joinedAt + 5_000 + params.siteLoadS * 1000).toISOString(),
      }),
    ]);
  });

  it('begins with those present once the others leave, and releases nobody twice', async () => {
    const truth = new GroundTruth(undefined);
    const site = new SiteLoadEpisode(
      'S',
      ['A', 'B'],
      'site-load-001',
      params,
      truth,
      () => Date.now(),
      60_000,
    );
    const released = site.join('A');
    site.leave('B');
    await jest.advanceTimersByTimeAsync(params.siteLoadS * 1000);
    await released;
    site.abort();
    expect(truth.episodes).toHaveLength(1);
    expect(truth.episodes[0]?.chargerIds).toEqual(['A']);
  });
});
