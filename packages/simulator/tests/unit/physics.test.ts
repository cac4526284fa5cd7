import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { offlineCharger, type ReadingOf } from '../helpers/offline-charger.js';

// The time factor shortens the schedule (sessions, intervals), never the physics: over device time, no register
// rises faster than its connector's power, at any factor. Fake timers drive the charger's real logic.

const CONNECTOR_MAX_POWER_W = 22_000;
/** A register shows whole Wh (or kWh with three decimals): one step of rounding. */
const ROUNDING_WH = 1;

/** Consecutive readings of each connector, in device time. */
function steps(readings: ReadingOf[]): [ReadingOf, ReadingOf][] {
  const byConnector = new Map<number, ReadingOf[]>();
  for (const reading of readings) {
    byConnector.set(reading.connectorId, [...(byConnector.get(reading.connectorId) ?? []), reading]);
  }
  return [...byConnector.values()].flatMap((list) => {
    const ordered = [...list].sort((a, b) => a.atMs - b.atMs);
    return ordered.slice(1).map((to, index) => [ordered[index] as ReadingOf, to] as [ReadingOf, ReadingOf]);
  });
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-07T00:00:00.000Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe.each([1, 60, 600])('at time factor %d', (timeFactor) => {
  it.each(['v1', 'v2'] as const)(
    'a %s charger’s registers never rise faster than its power allows',
    async (protocol) => {
      const { charger, readings } = offlineCharger({ protocol, timeFactor, seed: 3 });
      await charger.connect();
      charger.start();
      // Enough simulated time for several sessions: 8 simulated hours.
      const realMs = (8 * 3600 * 1000) / timeFactor;
      for (let elapsed = 0; elapsed < realMs; elapsed += realMs / 200)
        await jest.advanceTimersByTimeAsync(realMs / 200);
      const stopped = charger.stop();
      await jest.advanceTimersByTimeAsync(120_000);
      await stopped;

      const pairs = steps(readings());
      const rising = pairs.filter(([from, to]) => to.registerWh > from.registerWh);
      expect(rising.length).toBeGreaterThanOrEqual(5);
      for (const [from, to] of pairs) {
        const hours = (to.atMs - from.atMs) / 3_600_000;
        const riseWh = to.registerWh - from.registerWh;
        expect(riseWh).toBeGreaterThanOrEqual(0);
        // Within the connector's maximum, and within the power the readings themselves report.
        expect(riseWh).toBeLessThanOrEqual(CONNECTOR_MAX_POWER_W * hours + ROUNDING_WH);
        expect(riseWh).toBeLessThanOrEqual(Math.max(from.powerW, to.powerW) * hours + ROUNDING_WH);
      }
    },
  );
});

describe('device time', () => {
  it('is the real clock at any factor: readings are stamped with the time they are sent', async () => {
    const { charger, sent } = offlineCharger({ protocol: 'v2', timeFactor: 600, seed: 4 });
    await charger.connect();
    charger.start();
    await jest.advanceTimersByTimeAsync(60_000);
    const stopped = charger.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    await stopped;
    const stamped = sent.filter((message) => typeof message.payload.at === 'string');
    expect(stamped.length).toBeGreaterThan(10);
    for (const message of stamped) {
      // v2 device time strictly rises, so it may lead the clock by a millisecond per message sent at once.
      expect(Math.abs(Date.parse(message.payload.at as string) - message.publishedAtMs)).toBeLessThan(50);
    }
  });
});
