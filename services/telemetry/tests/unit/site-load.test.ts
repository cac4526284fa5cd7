import { describe, expect, it } from '@jest/globals';
import {
  latestPowers,
  replacesEntry,
  type SiteConnectors,
  shouldWriteEntry,
  siteLoadAt,
  siteLoadVerdict,
  defaultSiteLoadThresholds as thresholds,
} from '../../src/detectors/index.js';
import { meterObservation, minutes, statusObservation, T0 } from '../helpers/factories.js';

const LIMIT_W = 100_000; // opens above 90 kW at the default share of 0.9

const entries = (...powers: [key: string, powerW: number, at: number][]): SiteConnectors =>
  Object.fromEntries(powers.map(([key, powerW, at]) => [key, { powerW, at }]));

describe('site load: the verdict over a site’s entries', () => {
  it('opens above share × limit, not at it, and names the largest contributor', () => {
    const at90 = entries(['CP-1#1', 50_000, T0], ['CP-2#1', 40_000, T0]);
    expect(siteLoadVerdict('SITE-1', at90, LIMIT_W, T0, thresholds)).toMatchObject({ verdict: 'clear' });
    const above = entries(['CP-1#1', 50_000, T0], ['CP-2#1', 22_000, T0], ['CP-2#2', 22_000, T0]);
    expect(siteLoadVerdict('SITE-1', above, LIMIT_W, T0, thresholds)).toMatchObject({
      kind: 'site-load',
      siteId: 'SITE-1',
      chargerId: 'CP-1',
      verdict: 'open',
      at: T0,
      detail: '94 kW from 3 connector(s) of 100 kW grid limit (above 90 %)',
    });
    expect(siteLoadVerdict('SITE-1', above, LIMIT_W, T0, { ...thresholds, share: 0.95 })?.verdict).toBe(
      'clear',
    );
  });

  it('sums per charger: two connectors of one charger outweigh a larger single one', () => {
    const site = entries(['CP-1#1', 30_000, T0], ['CP-1#2', 30_000, T0], ['CP-2#1', 40_000, T0]);
    expect(siteLoadVerdict('SITE-1', site, LIMIT_W, T0, thresholds)?.chargerId).toBe('CP-1');
  });

  it('a charger that stopped reporting stops counting once its power is older than the expiry (boundary excluded)', () => {
    const site = entries(['CP-1#1', 60_000, T0], ['CP-2#1', 40_000, T0 + minutes(10)]);
    expect(siteLoadAt(site, T0 + minutes(29), thresholds.expiryMs).powerW).toBe(100_000);
    expect(siteLoadAt(site, T0 + thresholds.expiryMs - 1, thresholds.expiryMs).powerW).toBe(100_000);
    expect(siteLoadAt(site, T0 + thresholds.expiryMs, thresholds.expiryMs).powerW).toBe(40_000);
    // Judged at the window's end, after CP-1 went silent: the alert clears without a reading from CP-1.
    const atWindowEnd = siteLoadVerdict('SITE-1', site, LIMIT_W, T0 + minutes(31), thresholds);
    expect(atWindowEnd).toMatchObject({ verdict: 'clear', chargerId: 'CP-2', at: T0 + minutes(31) });
  });

  it('judges at the newest entry when it is later than now (device clocks ahead), never earlier', () => {
    const site = entries(['CP-1#1', 95_000, T0 + minutes(5)]);
    expect(siteLoadVerdict('SITE-1', site, LIMIT_W, T0, thresholds)).toMatchObject({
      verdict: 'open',
      at: T0 + minutes(5),
    });
    const allExpired = entries(['CP-1#1', 95_000, T0]);
    expect(siteLoadVerdict('SITE-1', allExpired, LIMIT_W, T0 + minutes(60), thresholds)).toMatchObject({
      verdict: 'clear',
      chargerId: 'CP-1',
      detail: '0 kW from 0 connector(s) of 100 kW grid limit',
    });
    expect(siteLoadVerdict('SITE-1', {}, LIMIT_W, T0, thresholds)).toBeUndefined();
  });

  it('the same entries in any insertion order give the same verdict', () => {
    const list: [string, number, number][] = [
      ['CP-1#1', 50_000, T0],
      ['CP-3#1', 45_000, T0 + 1],
      ['CP-2#1', 45_000, T0 + 1],
    ];
    const forward = siteLoadVerdict('S', entries(...list), LIMIT_W, T0, thresholds);
    const backward = siteLoadVerdict('S', entries(...[...list].reverse()), LIMIT_W, T0, thresholds);
    expect(backward).toEqual(forward);
  });
});

describe('site load: what a shard writes', () => {
  it("each connector's newest reading with power, by device time: duplicates and arrival order do not matter", () => {
    const readings = [
      meterObservation({ key: 'b', at: T0 + minutes(2), powerW: 11_000 }),
      meterObservation({ key: 'a', at: T0 + minutes(1), powerW: 7_000 }),
      meterObservation({ key: 'b', at: T0 + minutes(2), powerW: 11_000 }),
      meterObservation({ key: 'c', at: T0 + minutes(3), powerW: undefined }),
      meterObservation({ key: 'd', connectorId: 2, at: T0, powerW: -3 }),
      meterObservation({ key: 'e', chargerId: 'CP-2', at: T0, powerW: 3_700 }),
    ];
    const latest = latestPowers(readings);
    expect(Object.fromEntries(latest)).toEqual({
      'CP-1#1': { powerW: 11_000, at: T0 + minutes(2) },
      'CP-1#2': { powerW: 0, at: T0 },
      'CP-2#1': { powerW: 3_700, at: T0 },
    });
    expect(Object.fromEntries(latestPowers([...readings].reverse()))).toEqual(Object.fromEntries(latest));
  });

  it('a connector that stops charging draws 0 W from its status on (no reading follows a transaction)', () => {
    const readings = [meterObservation({ key: 'a', at: T0, powerW: 22_000 })];
    const stopped = statusObservation({ key: 's', at: T0 + minutes(1), status: 'Finishing' });
    expect(Object.fromEntries(latestPowers(readings, [stopped]))).toEqual({
      'CP-1#1': { powerW: 0, at: T0 + minutes(1) },
    });
    // Charging says nothing about power; a status older than the reading changes nothing.
    const charging = statusObservation({ key: 'c', at: T0 + minutes(1), status: 'Charging' });
    const older = statusObservation({ key: 'o', at: T0 - minutes(1), status: 'Available' });
    expect(Object.fromEntries(latestPowers(readings, [charging, older]))).toEqual({
      'CP-1#1': { powerW: 22_000, at: T0 },
    });
    // A 22 kW entry left by the ended session is rewritten to 0 W at once (a change of more than minChangeW).
    expect(shouldWriteEntry({ powerW: 22_000, at: T0 }, { powerW: 0, at: T0 + minutes(1) }, thresholds)).toBe(
      true,
    );
  });

  it('writes a change of at least minChangeW, never an older reading, and no 0 W where nothing counts anyway', () => {
    expect(shouldWriteEntry(undefined, { powerW: 7_000, at: T0 }, thresholds)).toBe(true);
    expect(shouldWriteEntry(undefined, { powerW: 0, at: T0 }, thresholds)).toBe(false);
    const stored = { powerW: 7_000, at: T0 };
    expect(shouldWriteEntry(stored, { powerW: 7_400, at: T0 + minutes(1) }, thresholds)).toBe(false);
    expect(shouldWriteEntry(stored, { powerW: 7_500, at: T0 + minutes(1) }, thresholds)).toBe(true);
    expect(shouldWriteEntry(stored, { powerW: 6_500, at: T0 + minutes(1) }, thresholds)).toBe(true);
    expect(shouldWriteEntry(stored, { powerW: 0, at: T0 + minutes(1) }, thresholds)).toBe(true);
    expect(shouldWriteEntry(stored, { powerW: 0, at: T0 }, thresholds)).toBe(false);
    expect(shouldWriteEntry(stored, { powerW: 0, at: T0 - 1 }, thresholds)).toBe(false);
  });

  it('refreshes an entry holding power at half its expiry, so a connector that keeps reporting never expires', () => {
    const half = thresholds.expiryMs / 2;
    const stored = { powerW: 7_000, at: T0 };
    expect(shouldWriteEntry(stored, { powerW: 7_100, at: T0 + half - 1 }, thresholds)).toBe(false);
    expect(shouldWriteEntry(stored, { powerW: 7_100, at: T0 + half }, thresholds)).toBe(true);
    // A small remainder is replaced by 0 W at the refresh; a 0 W entry is never refreshed (expired counts 0 too).
    expect(shouldWriteEntry({ powerW: 300, at: T0 }, { powerW: 0, at: T0 + half }, thresholds)).toBe(true);
    expect(shouldWriteEntry({ powerW: 0, at: T0 }, { powerW: 0, at: T0 + minutes(600) }, thresholds)).toBe(
      false,
    );
  });

  it('a stored entry is replaced only by a newer one (another shard, a duplicate or a late record cannot regress it)', () => {
    expect(replacesEntry(undefined, { powerW: 1, at: T0 })).toBe(true);
    expect(replacesEntry({ powerW: 1, at: T0 }, { powerW: 2, at: T0 + 1 })).toBe(true);
    expect(replacesEntry({ powerW: 1, at: T0 }, { powerW: 2, at: T0 })).toBe(false);
    expect(replacesEntry({ powerW: 1, at: T0 }, { powerW: 2, at: T0 - 1 })).toBe(false);
  });

  it('a steady charger reporting every minute writes once per half expiry and keeps counting; an idle one never', () => {
    let stored: { powerW: number; at: number } | undefined;
    let writes = 0;
    let idleWrites = 0;
    const site: SiteConnectors = {};
    for (let at = T0; at < T0 + minutes(60); at += minutes(1)) {
      const latest = { powerW: 7_000 + (at % 2 === 0 ? 100 : -100), at };
      if (shouldWriteEntry(stored, latest, thresholds)) {
        stored = latest;
        writes++;
        site['CP-1#1'] = latest;
      }
      if (shouldWriteEntry(undefined, { powerW: 0, at }, thresholds)) idleWrites++;
      expect(siteLoadAt(site, at, thresholds.expiryMs).powerW).toBeGreaterThan(0);
    }
    expect(writes).toBe(4);
    expect(idleWrites).toBe(0);
  });
});
