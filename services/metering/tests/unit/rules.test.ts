import type { MeterEvent } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  applyPreSessionReading,
  applyReading,
  meterReadingOf,
  meterRequestDueAt,
  precedesSession,
  type RegisterReading,
  type RegisterState,
  sessionTotalsOf,
  statusesPlannedAlike,
} from '../../src/rules.js';

const tariff = { pricePerKwhMinor: 350, currency: 'KRW' };

function applyAll(state: RegisterState, readings: RegisterReading[]): RegisterState {
  return readings.reduce((current, reading) => applyReading(current, reading).next, state);
}

const reading = (at: string, registerWh: number, powerW?: number): RegisterReading => ({
  at: `2026-11-25T06:${at}.000Z`,
  registerWh,
  ...(powerW === undefined ? {} : { powerW }),
});

describe('meterReadingOf (normalization)', () => {
  const event: MeterEvent = {
    messageId: '0d9c1f8e-2f5a-4c1e-9a57-3f1f5d1b6a01',
    connectorId: 1,
    at: '2026-11-25T06:30:00.000Z',
    energy: { value: 12.3456, unit: 'kWh' },
    context: 'Sample.Periodic',
    chargerId: 'CP-1',
    clientId: 'CP-1',
    receivedAt: Date.parse('2026-11-25T06:30:01.250Z'),
  };

  it('normalizes kWh to integer Wh, rounding half up', () => {
    expect(meterReadingOf(event).registerWh).toBe(12_346);
    expect(meterReadingOf({ ...event, energy: { value: 1.0005, unit: 'kWh' } }).registerWh).toBe(1001);
  });

  it('keeps Wh as integer Wh', () => {
    expect(meterReadingOf({ ...event, energy: { value: 4200.4, unit: 'Wh' } }).registerWh).toBe(4200);
  });

  it('stores the server receive time beside the device time, and the link when given', () => {
    const stored = meterReadingOf(event, '7b0c1f8e-2f5a-4c1e-9a57-3f1f5d1b6a02');
    expect(stored).toMatchObject({
      at: event.at,
      receivedAt: '2026-11-25T06:30:01.250Z',
      sessionId: '7b0c1f8e-2f5a-4c1e-9a57-3f1f5d1b6a02',
    });
    expect(meterReadingOf(event)).not.toHaveProperty('sessionId');
  });
});

describe('applyReading and sessionTotalsOf', () => {
  it('sets the start from the first reading when authorization did not know it', () => {
    const state = applyAll({}, [reading('00:00', 10_000, 7000), reading('15:00', 12_500, 7200)]);
    expect(state).toMatchObject({
      energyStartWh: 10_000,
      latestRegisterWh: 12_500,
      lastReadingAt: '2026-11-25T06:15:00.000Z',
      powerW: 7200,
    });
    expect(sessionTotalsOf(state, tariff)).toEqual({ energyWh: 2500, costMinor: 875 });
  });

  it('keeps a start that authorization knew', () => {
    const state = applyAll({ energyStartWh: 9000 }, [reading('00:00', 10_000)]);
    expect(state.energyStartWh).toBe(9000);
    expect(sessionTotalsOf(state, tariff).energyWh).toBe(1000);
  });

  it('is zero before any reading', () => {
    expect(sessionTotalsOf({ energyStartWh: 9000 }, tariff)).toEqual({ energyWh: 0, costMinor: 0 });
  });

  it('flags a register regression and does not apply it', () => {
    const state = applyAll({}, [reading('00:00', 10_000), reading('15:00', 12_000)]);
    const result = applyReading(state, reading('30:00', 11_000));
    expect(result).toEqual({ changed: false, anomaly: 'register-regression', next: state });
  });

  it('flags a newer reading below a start that authorization knew', () => {
    expect(applyReading({ energyStartWh: 9000 }, reading('00:00', 8000))).toMatchObject({
      changed: false,
      anomaly: 'register-regression',
    });
  });

  it('stores but never moves the latest values backwards for an out-of-order reading', () => {
    const state = applyAll({}, [reading('00:00', 10_000), reading('30:00', 13_000, 7000)]);
    const result = applyReading(state, reading('15:00', 11_500, 1));
    expect(result).toEqual({ changed: false, anomaly: 'out-of-order', next: state });
  });

  it('lowers a reading-derived start when an earlier reading arrives late', () => {
    const state = applyAll({}, [reading('15:00', 11_000), reading('00:00', 10_000)]);
    expect(state).toMatchObject({ energyStartWh: 10_000, latestRegisterWh: 11_000 });
  });

  it('never lowers a start that authorization knew', () => {
    const result = applyReading(
      { energyStartWh: 9000, latestRegisterWh: 9500, lastReadingAt: reading('15:00', 0).at },
      reading('00:00', 8000),
    );
    expect(result.changed).toBe(false);
  });

  it('never bills the lifetime register after a zero placeholder', () => {
    const results = [reading('00:00', 0), reading('45:00', 8_765_432), reading('59:00', 8_766_432)];
    const state = applyAll({}, results);
    expect(applyReading({}, reading('00:00', 0))).toMatchObject({
      changed: false,
      anomaly: 'zero-register-placeholder',
    });
    expect(sessionTotalsOf(state, tariff).energyWh).toBe(1000);
  });

  it('treats a zero after a long gap as a placeholder, not as a regression to bill from', () => {
    const state = applyAll({ energyStartWh: 5_000_000 }, [reading('00:00', 5_000_500)]);
    expect(applyReading(state, reading('59:00', 0))).toMatchObject({ anomaly: 'zero-register-placeholder' });
  });

  it('applies a duplicate reading at most once', () => {
    const once = applyAll({}, [reading('00:00', 10_000), reading('15:00', 11_000)]);
    expect(applyReading(once, reading('15:00', 11_000))).toMatchObject({ changed: false });
  });

  it('takes power from the latest reading only', () => {
    const state = applyAll({}, [reading('00:00', 10_000, 7000), reading('15:00', 11_000)]);
    expect(state.powerW).toBeUndefined();
  });

  it('computes cost in integer minor units, rounded half up', () => {
    expect(sessionTotalsOf({ energyStartWh: 0, latestRegisterWh: 1 }, tariff).costMinor).toBe(0);
    expect(sessionTotalsOf({ energyStartWh: 0, latestRegisterWh: 2 }, tariff).costMinor).toBe(1);
    expect(sessionTotalsOf({ energyStartWh: 100, latestRegisterWh: 22_100 }, tariff).costMinor).toBe(7700);
  });
});

describe('readings with the same device time', () => {
  // A charger stamping each reading with its clock at publish can send several in one millisecond.
  const sameAt = [reading('00:00', 5000), reading('00:00', 5600), reading('00:00', 6400)];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];

  it.each(orders.map((order) => [order.join(', '), order] as const))(
    'are ordered by register, so any arrival order (%s) starts at the lowest',
    (_, order) => {
      const state = applyAll(
        {},
        order.map((index) => sameAt[index] as RegisterReading),
      );
      expect(state).toMatchObject({ energyStartWh: 5000, latestRegisterWh: 6400 });
      expect(sessionTotalsOf(state, tariff)).toEqual({ energyWh: 1400, costMinor: 490 });
    },
  );
});

describe('statusesPlannedAlike (what a reading’s write is conditioned on)', () => {
  it('an active session: any active status, so a plug charging it does not make a reading plan again', () => {
    expect(statusesPlannedAlike('Authorized')).toEqual(['Authorized', 'Charging']);
    expect(statusesPlannedAlike('Charging')).toEqual(['Authorized', 'Charging']);
  });

  it('an ended session: only the status it ended in', () => {
    expect(statusesPlannedAlike('Completed')).toEqual(['Completed']);
    expect(statusesPlannedAlike('Expired')).toEqual(['Expired']);
  });
});

describe('order independence (property)', () => {
  // A sane meter: strictly later readings never show a lower register; registers start above 0.
  const monotoneReadings = fc
    .array(
      fc.record({
        gapMs: fc.integer({ min: 1, max: 3_600_000 }),
        deltaWh: fc.nat(20_000),
        powerW: fc.option(fc.nat(22_000), { nil: undefined }),
      }),
      {
        minLength: 1,
        maxLength: 30,
      },
    )
    .chain((steps) =>
      fc.integer({ min: 1, max: 50_000_000 }).map((firstRegisterWh) => {
        let atMs = Date.parse('2026-11-25T06:00:00.000Z');
        let registerWh = firstRegisterWh;
        return steps.map((step): RegisterReading => {
          atMs += step.gapMs;
          registerWh += step.deltaWh;
          return { at: new Date(atMs).toISOString(), registerWh, powerW: step.powerW };
        });
      }),
    );

  it('duplicated and shuffled readings give the same totals as in-order ones', () => {
    fc.assert(
      fc.property(
        monotoneReadings,
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        fc.infiniteStream(fc.boolean()),
        (readings, knownStart, shuffleKeys, duplicate) => {
          const initial: RegisterState = !knownStart
            ? {}
            : { energyStartWh: Math.max(1, (readings[0]?.registerWh ?? 1) - 10) };
          const inOrder = applyAll(initial, readings);
          const delivered = readings.flatMap((r) => (duplicate.next().value ? [r, r] : [r]));
          const keys = delivered.map(() => shuffleKeys.next().value);
          const shuffled = delivered
            .map((r, index) => ({ r, key: keys[index] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ r }) => r);
          const outOfOrder = applyAll(initial, shuffled);
          expect(outOfOrder).toEqual(inOrder);
          expect(sessionTotalsOf(outOfOrder, tariff)).toEqual(sessionTotalsOf(inOrder, tariff));
        },
      ),
      { numRuns: 500 },
    );
  });

  // The connector's readings before a session and the session's own, delivered in any order around the
  // authorization (which snapshots the connector's register as the start): the session ends as in order.
  it('a session starts from the latest pre-session register, whatever was processed before its authorization', () => {
    fc.assert(
      fc.property(
        monotoneReadings,
        fc.nat(),
        fc.infiniteStream(fc.nat()),
        fc.nat(),
        (readings, split, shuffleKeys, authPosition) => {
          const preSessionCount = split % (readings.length + 1);
          const preSession = readings.slice(0, preSessionCount);
          const own = readings.slice(preSessionCount);
          const connectorAfter = (pre: RegisterReading[]) => applyAll({}, pre).latestRegisterWh;
          const authorize = (pre: RegisterReading[]): RegisterState => {
            const snapshot = connectorAfter(pre);
            return snapshot === undefined ? {} : { energyStartWh: snapshot };
          };
          const inOrder = applyAll(authorize(preSession), own);

          const tagged = [
            ...preSession.map((r) => ({ r, pre: true })),
            ...own.map((r) => ({ r, pre: false })),
          ];
          const shuffled = tagged
            .map((entry) => ({ entry, key: shuffleKeys.next().value }))
            .sort((a, b) => a.key - b.key)
            .map(({ entry }) => entry);
          // Own readings exist only once the session does: the authorization comes before the first of them.
          const firstOwn = shuffled.findIndex((entry) => !entry.pre);
          const cut = Math.min(
            authPosition % (shuffled.length + 1),
            firstOwn < 0 ? shuffled.length : firstOwn,
          );
          const beforeAuth = shuffled.slice(0, cut).map((entry) => entry.r);
          const outOfOrder = shuffled
            .slice(cut)
            .reduce(
              (state, entry) =>
                (entry.pre ? applyPreSessionReading(state, entry.r) : applyReading(state, entry.r)).next,
              authorize(beforeAuth),
            );
          expect(sessionTotalsOf(outOfOrder, tariff)).toEqual(sessionTotalsOf(inOrder, tariff));
          expect(outOfOrder.energyStartWh).toBe(inOrder.energyStartWh);
          expect(outOfOrder.latestRegisterWh).toBe(inOrder.latestRegisterWh);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('applyPreSessionReading (a reading taken before the session started)', () => {
  it('raises a start that authorization took from a stale connector register', () => {
    const result = applyPreSessionReading({ energyStartWh: 12_000 }, reading('25:00', 12_500));
    expect(result).toEqual({ changed: true, next: { energyStartWh: 12_500, energyStartAt: undefined } });
  });

  it('never lowers a start that authorization took (a later pre-session reading already set it)', () => {
    expect(applyPreSessionReading({ energyStartWh: 12_500 }, reading('20:00', 12_000))).toMatchObject({
      changed: false,
      anomaly: 'out-of-order',
    });
  });

  it('replaces a start the session’s own first reading set, as authorization would have taken it', () => {
    const state: RegisterState = {
      energyStartWh: 12_600,
      energyStartAt: '2026-11-25T06:32:00.000Z',
      latestRegisterWh: 13_000,
      lastReadingAt: '2026-11-25T06:40:00.000Z',
    };
    const result = applyPreSessionReading(state, reading('25:00', 12_500));
    expect(result.next).toEqual({ ...state, energyStartWh: 12_500, energyStartAt: undefined });
    expect(sessionTotalsOf(result.next, tariff)).toEqual({ energyWh: 500, costMinor: 175 });
  });

  it('is the start of a session that has no register yet, and moves nothing else', () => {
    expect(applyPreSessionReading({}, reading('25:00', 12_500)).next).toEqual({
      energyStartWh: 12_500,
      energyStartAt: undefined,
    });
  });

  it('flags a pre-session register above the session’s own readings, and a zero placeholder', () => {
    const state: RegisterState = { energyStartWh: 12_000, latestRegisterWh: 13_000, lastReadingAt: 'x' };
    expect(applyPreSessionReading(state, reading('25:00', 13_500))).toMatchObject({
      anomaly: 'register-regression',
    });
    expect(applyPreSessionReading(state, reading('25:00', 0))).toMatchObject({
      anomaly: 'zero-register-placeholder',
    });
  });
});

describe('precedesSession (linking a reading without sessionId by time)', () => {
  const session = { startedAt: '2026-11-25T06:31:00.000Z' };
  const sent = (at: string, delayMs = 250) => ({ at, receivedAt: Date.parse(at) + delayMs });

  it('a reading taken before the session started precedes it, whenever it is processed', () => {
    expect(precedesSession(sent('2026-11-25T06:25:00.000Z'), session)).toBe(true);
    expect(precedesSession(sent('2026-11-25T06:25:00.000Z', 60_000), session)).toBe(true);
  });

  it('a reading taken at or after the start belongs to the session', () => {
    expect(precedesSession(sent('2026-11-25T06:31:00.000Z'), session)).toBe(false);
    expect(precedesSession(sent('2026-11-25T06:40:00.000Z'), session)).toBe(false);
  });

  it('a device clock beyond the contract’s skew cannot tell: the reading belongs to the session', () => {
    expect(precedesSession(sent('2026-11-25T04:00:00.000Z', 3 * 3_600_000), session)).toBe(false);
  });
});

describe('meterRequestDueAt', () => {
  it('arms the deadline 30 s after the request by default, configurable', () => {
    const requestedAt = new Date('2026-11-25T06:30:00.000Z');
    expect(meterRequestDueAt(requestedAt)).toBe(requestedAt.getTime() + 30_000);
    expect(meterRequestDueAt(requestedAt, 5)).toBe(requestedAt.getTime() + 5000);
  });
});
