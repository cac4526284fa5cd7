import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  coalesceWindowMs,
  deadlinePlan,
  heartbeatFacts,
  isCoalesced,
  type WrittenHeartbeat,
} from '../../src/rules.js';
import { WrittenHeartbeats } from '../../src/written-heartbeats.js';
import { heartbeatEvent } from '../helpers/factories.js';

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
const settings = { graceS: 60, backstopS: 3600 };
const facts = (receivedAt: number, overrides = {}) =>
  heartbeatFacts(heartbeatEvent('CP-1', receivedAt, overrides), settings);
const written = (overrides: Partial<WrittenHeartbeat> = {}): WrittenHeartbeat => ({
  seenAtMs: T0,
  clockSkewFlagged: false,
  ...overrides,
});

describe('coalesceWindowMs', () => {
  it('is the param, capped at a quarter of the backstop', () => {
    expect(coalesceWindowMs(900, settings)).toBe(900_000);
    expect(coalesceWindowMs(2000, settings)).toBe(900_000);
    expect(coalesceWindowMs(900, { graceS: 5, backstopS: 10 })).toBe(2_500);
    expect(coalesceWindowMs(0, settings)).toBe(0);
  });
});

describe('isCoalesced', () => {
  it.each([
    ['nothing written by this container', undefined, 300_000, {}, false],
    ['written 300 s ago, nothing new', written(), 300_000, {}, true],
    ['written just under the window ago', written(), 899_999, {}, true],
    ['written the whole window ago', written(), 900_000, {}, false],
    ['older than what was written (a late retry)', written(), -1_000, {}, false],
    ['a new firmware', written({ firmware: '1.0.0' }), 300_000, { firmware: '2.0.0' }, false],
    ['the same firmware', written({ firmware: '1.0.0' }), 300_000, { firmware: '1.0.0' }, true],
    ['a new interval', written({ heartbeatIntervalS: 300 }), 300_000, { intervalS: 60 }, false],
    ['a skewed clock now', written(), 300_000, { at: '2026-11-25T05:00:00.000Z' }, false],
  ] as const)('%s → %p', (_label, last, ageMs, overrides, expected) => {
    expect(isCoalesced(last, facts(T0 + ageMs, overrides), 900_000)).toBe(expected);
  });

  it('never coalesces with a zero window', () => {
    expect(isCoalesced(written(), facts(T0 + 1), 0)).toBe(false);
  });

  it('never lets the sweeper take a talking charger offline, whatever the interval, backstop and phase', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 3600 }), // heartbeat interval, s
        fc.integer({ min: 10, max: 7200 }), // backstop, s
        fc.integer({ min: 0, max: 3600 }), // coalescing param, s
        fc.integer({ min: 0, max: 10_000_000 }), // when the sweeper looks, ms after the first heartbeat
        (intervalS, backstopS, coalesceS, sweepAfterMs) => {
          const liveness = { graceS: 60, backstopS };
          const windowMs = coalesceWindowMs(coalesceS, liveness);
          // Heartbeats every interval up to the sweep; the container writes only those not coalesced.
          let last: WrittenHeartbeat | undefined;
          for (let at = T0; at <= T0 + sweepAfterMs; at += intervalS * 1000) {
            const next = heartbeatFacts(heartbeatEvent('CP-1', at, { intervalS }), liveness);
            if (!isCoalesced(last, next, windowMs)) last = next;
          }
          const plan = deadlinePlan(
            {
              status: 'online',
              connected: true,
              lastSeenAt: new Date(last?.seenAtMs ?? T0).toISOString(),
              heartbeatIntervalS: intervalS,
              dueAt: T0,
              deadlineArmed: true,
            },
            T0 + sweepAfterMs,
            liveness,
            0,
          );
          expect(plan.kind).not.toBe('offline');
        },
      ),
    );
  });
});

describe('WrittenHeartbeats', () => {
  it('forgets the least recently written charger past its bound', () => {
    const memory = new WrittenHeartbeats(2);
    memory.remember('A', written());
    memory.remember('B', written());
    memory.remember('A', written({ seenAtMs: T0 + 1 }));
    memory.remember('C', written());
    expect(memory.get('B')).toBeUndefined();
    expect(memory.get('A')).toEqual(
      written({ seenAtMs: T0 + 1, firmware: undefined, heartbeatIntervalS: undefined }),
    );
    expect(memory.get('C')).toBeDefined();
  });
});
