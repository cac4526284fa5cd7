import type { ConnectorStatus, PlugEventKind, Session, SessionStatus } from '@evcharge/domain';
import { errorClassOf } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  comparePlugEvents,
  decidePlugEvent,
  needsPlugHistory,
  type PlugConnector,
  PlugDecisionError,
  type PlugEventFacts,
  plugEventOrder,
  replaySession,
  type SessionUpdate,
  sessionCompletion,
  sessionFateOf,
  sessionUpdateFrom,
} from '../../src/rules.js';

const SESSION_ID = '00000000-0000-4000-8000-00000000a001';
const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function session(overrides: Partial<Session> = {}): Session {
  return {
    sessionId: SESSION_ID,
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'user-1',
    idTag: 'TAG-1',
    status: 'Authorized',
    startedAt: iso(T0),
    energyStartWh: 1_000,
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
    ...overrides,
  };
}

let messageCounter = 0;
function plugEvent(
  event: PlugEventKind,
  offsetS: number,
  overrides: Partial<PlugEventFacts> = {},
): PlugEventFacts {
  messageCounter++;
  return {
    messageId: `00000000-0000-4000-8000-${String(messageCounter).padStart(12, '0')}`,
    event,
    at: iso(T0 + offsetS * 1000),
    receivedAt: T0 + offsetS * 1000 + 150,
    ...overrides,
  };
}

describe('plug event order', () => {
  const base = { at: iso(T0), receivedAt: T0 + 100 };
  it.each([
    ['later device time wins over an earlier receive time', { at: iso(T0 + 1), receivedAt: T0 }, 1],
    ['earlier device time loses over a later receive time', { at: iso(T0 - 1), receivedAt: T0 + 999 }, -1],
    ['same device time: the later receive time is newer', { at: iso(T0), receivedAt: T0 + 101 }, 1],
    ['same device time: the earlier receive time is older', { at: iso(T0), receivedAt: T0 + 99 }, -1],
    ['same device and receive time is the same position', { at: iso(T0), receivedAt: T0 + 100 }, 0],
  ])('%s', (_name, event, expected) => {
    expect(comparePlugEvents(event, base)).toBe(expected);
  });

  it('breaks exact ties by messageId so any set of events has one order', () => {
    const first = { ...base, messageId: 'a' };
    const second = { ...base, messageId: 'b' };
    expect(comparePlugEvents(first, second)).toBe(-1);
    expect(comparePlugEvents(second, first)).toBe(1);
  });

  it('places an event against the connector: first event, newer, older, redelivery', () => {
    const event = plugEvent('plugged', 10);
    expect(plugEventOrder({ plugged: false, faulted: false }, event)).toBe('newer');
    const connector: PlugConnector = {
      plugged: false,
      faulted: false,
      lastEventAt: event.at,
      lastEventReceivedAt: event.receivedAt,
    };
    expect(plugEventOrder(connector, plugEvent('plugged', 11))).toBe('newer');
    expect(plugEventOrder(connector, plugEvent('plugged', 9))).toBe('older');
    expect(plugEventOrder(connector, { ...event, messageId: 'another' })).toBe('duplicate');
  });
});

type SessionCase = 'none' | 'Authorized' | 'Charging' | 'Completed' | 'Expired';
interface TransitionCase {
  plugged: boolean;
  sessionCase: SessionCase;
  event: PlugEventKind;
  outcome: 'applied' | 'ignored';
  reason?: string;
  pluggedAfter: boolean;
  status: ConnectorStatus;
  sessionTo?: SessionStatus;
  holdsSession: boolean;
}

// Every connector state × event × session state, for an event newer than the connector's last.
// Completed/Expired are stale references (the connector should not name them): treated as no session.
const transitions: TransitionCase[] = [
  {
    plugged: false,
    sessionCase: 'none',
    event: 'plugged',
    outcome: 'applied',
    pluggedAfter: true,
    status: 'Preparing',
    holdsSession: false,
  },
  {
    plugged: false,
    sessionCase: 'none',
    event: 'unplugged',
    outcome: 'ignored',
    reason: 'not-plugged',
    pluggedAfter: false,
    status: 'Available',
    holdsSession: false,
  },
  {
    plugged: true,
    sessionCase: 'none',
    event: 'plugged',
    outcome: 'ignored',
    reason: 'already-plugged',
    pluggedAfter: true,
    status: 'Preparing',
    holdsSession: false,
  },
  {
    plugged: true,
    sessionCase: 'none',
    event: 'unplugged',
    outcome: 'applied',
    pluggedAfter: false,
    status: 'Available',
    holdsSession: false,
  },
  {
    plugged: false,
    sessionCase: 'Authorized',
    event: 'plugged',
    outcome: 'applied',
    pluggedAfter: true,
    status: 'Charging',
    sessionTo: 'Charging',
    holdsSession: true,
  },
  {
    plugged: false,
    sessionCase: 'Authorized',
    event: 'unplugged',
    outcome: 'ignored',
    reason: 'not-plugged',
    pluggedAfter: false,
    status: 'Preparing',
    holdsSession: true,
  },
  {
    plugged: true,
    sessionCase: 'Authorized',
    event: 'plugged',
    outcome: 'ignored',
    reason: 'already-plugged',
    pluggedAfter: true,
    status: 'Preparing',
    holdsSession: true,
  },
  {
    plugged: true,
    sessionCase: 'Authorized',
    event: 'unplugged',
    outcome: 'applied',
    pluggedAfter: false,
    status: 'Available',
    sessionTo: 'Completed',
    holdsSession: false,
  },
  {
    plugged: false,
    sessionCase: 'Charging',
    event: 'plugged',
    outcome: 'applied',
    pluggedAfter: true,
    status: 'Charging',
    holdsSession: true,
  },
  {
    plugged: false,
    sessionCase: 'Charging',
    event: 'unplugged',
    outcome: 'ignored',
    reason: 'not-plugged',
    pluggedAfter: false,
    status: 'Charging',
    holdsSession: true,
  },
  {
    plugged: true,
    sessionCase: 'Charging',
    event: 'plugged',
    outcome: 'ignored',
    reason: 'already-plugged',
    pluggedAfter: true,
    status: 'Charging',
    holdsSession: true,
  },
  {
    plugged: true,
    sessionCase: 'Charging',
    event: 'unplugged',
    outcome: 'applied',
    pluggedAfter: false,
    status: 'Available',
    sessionTo: 'Completed',
    holdsSession: false,
  },
  ...(['Completed', 'Expired'] as const).flatMap((sessionCase): TransitionCase[] => [
    {
      plugged: false,
      sessionCase,
      event: 'plugged',
      outcome: 'applied',
      pluggedAfter: true,
      status: 'Preparing',
      holdsSession: false,
    },
    {
      plugged: false,
      sessionCase,
      event: 'unplugged',
      outcome: 'ignored',
      reason: 'not-plugged',
      pluggedAfter: false,
      status: 'Available',
      holdsSession: false,
    },
    {
      plugged: true,
      sessionCase,
      event: 'plugged',
      outcome: 'ignored',
      reason: 'already-plugged',
      pluggedAfter: true,
      status: 'Preparing',
      holdsSession: false,
    },
    {
      plugged: true,
      sessionCase,
      event: 'unplugged',
      outcome: 'applied',
      pluggedAfter: false,
      status: 'Available',
      holdsSession: false,
    },
  ]),
];

describe('decidePlugEvent: every transition of a newer event', () => {
  const cases = transitions.flatMap((row) => [
    { ...row, faulted: false },
    {
      ...row,
      faulted: true,
      status: 'Faulted' as ConnectorStatus,
      // A faulted connector never starts charging: an Authorized session stays Authorized.
      sessionTo: row.sessionTo === 'Charging' ? undefined : row.sessionTo,
    },
  ]);
  it.each(cases)(
    'plugged=$plugged faulted=$faulted session=$sessionCase + $event → $outcome $reason, $status, session→$sessionTo',
    (row) => {
      const held = row.sessionCase === 'none' ? undefined : session({ status: row.sessionCase });
      const connector: PlugConnector = {
        plugged: row.plugged,
        faulted: row.faulted,
        activeSessionId: held?.sessionId,
        lastEventAt: iso(T0 - 60_000),
        lastEventReceivedAt: T0 - 60_000,
      };
      const event = plugEvent(row.event, 30);
      const decision = decidePlugEvent({ connector, session: held, event });

      expect(decision.order).toBe('newer');
      expect(decision.outcome).toBe(row.outcome);
      expect(decision.reason).toBe(row.reason);
      expect(decision.connector).toMatchObject({
        plugged: row.pluggedAfter,
        faulted: row.faulted,
        status: row.status,
        // Even an ignored newer event becomes the latest, so nothing older can undo what it says.
        lastEventAt: event.at,
        lastEventReceivedAt: event.receivedAt,
      });
      expect(decision.connector.activeSessionId).toBe(row.holdsSession ? SESSION_ID : undefined);
      expect(decision.sessionUpdate?.to).toBe(row.sessionTo);
      if (decision.sessionUpdate) expect(decision.sessionUpdate.from).toBe(row.sessionCase);
    },
  );

  it('plugging an Authorized session starts charging at the receive time and never before authorization', () => {
    const authorized = session({ startedAt: iso(T0) });
    const connector: PlugConnector = { plugged: false, faulted: false, activeSessionId: SESSION_ID };
    const late = decidePlugEvent({ connector, session: authorized, event: plugEvent('plugged', 42) });
    expect(late.sessionUpdate).toEqual({
      sessionId: SESSION_ID,
      from: 'Authorized',
      to: 'Charging',
      chargingStartedAt: iso(T0 + 42_150),
    });
    // Plugged before the authorization reached the server, but applied after it (a delayed message).
    const early = decidePlugEvent({ connector, session: authorized, event: plugEvent('plugged', -5) });
    expect(early.sessionUpdate).toMatchObject({ to: 'Charging', chargingStartedAt: iso(T0) });
  });

  it('unplugging completes the session with endedAt, duration from charging start, energy and cost', () => {
    const charging = session({
      status: 'Charging',
      chargingStartedAt: iso(T0 + 10_000),
      energyStartWh: 1_000,
      latestRegisterWh: 13_345,
      energyWh: 12_000, // stale running total: the register is the truth
      lastReadingAt: iso(T0 + 3_000_000),
    });
    const connector: PlugConnector = { plugged: true, faulted: false, activeSessionId: SESSION_ID };
    const decision = decidePlugEvent({ connector, session: charging, event: plugEvent('unplugged', 3_600) });
    expect(decision.sessionUpdate).toEqual({
      sessionId: SESSION_ID,
      from: 'Charging',
      to: 'Completed',
      endedAt: iso(T0 + 3_600_150),
      durationS: 3_590,
      energyWh: 12_345,
      costMinor: 4_321, // 12.345 kWh × 350 = 4320.75 → 4321
    });
  });
});

describe('decidePlugEvent: older and redelivered events', () => {
  const connector: PlugConnector = {
    plugged: true,
    faulted: false,
    activeSessionId: SESSION_ID,
    lastEventAt: iso(T0 + 100_000),
    lastEventReceivedAt: T0 + 100_150,
  };

  it.each(['plugged', 'unplugged'] as const)(
    'an older %s is recorded as ignored and leaves the connector',
    (kind) => {
      const decision = decidePlugEvent({ connector, event: plugEvent(kind, 50) });
      expect(decision).toMatchObject({ order: 'older', outcome: 'ignored', reason: 'older' });
      expect(decision.connector).toEqual({ ...connector, activeSessionId: undefined, status: 'Preparing' });
      expect(decision.sessionUpdate).toBeUndefined();
    },
  );

  it('an event at the same position as the last applied one is a redelivery', () => {
    const decision = decidePlugEvent({
      connector,
      session: session({ status: 'Charging', chargingStartedAt: iso(T0) }),
      event: plugEvent('unplugged', 0, {
        at: connector.lastEventAt!,
        receivedAt: connector.lastEventReceivedAt!,
      }),
    });
    expect(decision).toMatchObject({ order: 'duplicate', outcome: 'ignored', reason: 'duplicate' });
    expect(decision.connector).toMatchObject({
      plugged: true,
      activeSessionId: SESSION_ID,
      status: 'Charging',
    });
    expect(decision.sessionUpdate).toBeUndefined();
  });

  it('needs the history only for an older event while a session is active', () => {
    const older = plugEvent('unplugged', 50);
    const newer = plugEvent('unplugged', 150);
    const active = session({ status: 'Charging' });
    expect(needsPlugHistory(connector, older, active)).toBe(true);
    expect(needsPlugHistory(connector, newer, active)).toBe(false);
    expect(needsPlugHistory(connector, older)).toBe(false);
    expect(needsPlugHistory(connector, older, session({ status: 'Completed' }))).toBe(false);
  });

  it('an older unplug after the plug that started charging completes the session; the connector keeps its state', () => {
    const plug1 = plugEvent('plugged', 10);
    const plug3 = plugEvent('plugged', 100);
    const unplug2 = plugEvent('unplugged', 50);
    // Arrival order plug3 → plug1 → unplug2 made the session Charging from plug1; unplug2 ends it.
    const charging = session({ status: 'Charging', chargingStartedAt: iso(plug1.receivedAt) });
    const decision = decidePlugEvent({
      connector,
      session: charging,
      event: unplug2,
      history: [plug3, plug1],
    });
    expect(decision).toMatchObject({ order: 'older', outcome: 'ignored', reason: 'older' });
    expect(decision.sessionUpdate).toMatchObject({
      to: 'Completed',
      endedAt: iso(unplug2.receivedAt),
      durationS: 40,
    });
    expect(decision.connector).toMatchObject({ plugged: true, status: 'Preparing', lastEventAt: plug3.at });
    expect(decision.connector.activeSessionId).toBeUndefined();
  });
});

describe('sessionCompletion', () => {
  it.each([
    ['register known at both ends', { energyStartWh: 500, latestRegisterWh: 2_500, energyWh: 0 }, 2_000, 700],
    [
      'register regressed (meter swap): never negative',
      { energyStartWh: 5_000, latestRegisterWh: 100, energyWh: 0 },
      0,
      0,
    ],
    [
      'no start register: the running total',
      { energyStartWh: undefined, latestRegisterWh: 900, energyWh: 321 },
      321,
      112,
    ],
    ['no reading at all', { energyStartWh: 500, latestRegisterWh: undefined, energyWh: 0 }, 0, 0],
  ])('%s', (_name, energy, energyWh, cost) => {
    const completion = sessionCompletion(session({ ...energy, chargingStartedAt: iso(T0) }), T0 + 61_999);
    expect(completion).toEqual({ endedAt: iso(T0 + 61_999), durationS: 61, energyWh, costMinor: cost });
  });

  it('measures from startedAt when charging never started, and clamps an end before the start to 0 s', () => {
    expect(sessionCompletion(session(), T0 + 5_000).durationS).toBe(5);
    expect(sessionCompletion(session(), T0 - 5_000)).toMatchObject({ endedAt: iso(T0), durationS: 0 });
  });
});

describe('sessionFateOf', () => {
  type FateCase = [
    string,
    Partial<Session>,
    [PlugEventKind, number][],
    SessionStatus,
    number | null,
    number | null,
  ];
  const cases: FateCase[] = [
    ['no events: stays Authorized', {}, [], 'Authorized', null, null],
    ['unplug only: stays Authorized', {}, [['unplugged', 5]], 'Authorized', null, null],
    ['plug: Charging from the plug', {}, [['plugged', 5]], 'Charging', 5, null],
    [
      'plug, unplug: Completed',
      {},
      [
        ['plugged', 5],
        ['unplugged', 9],
      ],
      'Completed',
      5,
      9,
    ],
    [
      'unplug, plug: Charging',
      {},
      [
        ['unplugged', 5],
        ['plugged', 9],
      ],
      'Charging',
      9,
      null,
    ],
    [
      'plug, unplug, plug: the first pair ends it',
      {},
      [
        ['plugged', 5],
        ['unplugged', 9],
        ['plugged', 12],
      ],
      'Completed',
      5,
      9,
    ],
    ['plugged before authorization: Charging from the start', {}, [['plugged', -30]], 'Charging', 0, null],
    [
      'plugged and unplugged before authorization: Authorized',
      {},
      [
        ['plugged', -30],
        ['unplugged', -20],
      ],
      'Authorized',
      null,
      null,
    ],
    [
      'created Charging: the first unplug ends it',
      { status: 'Charging', chargingStartedAt: iso(T0) },
      [['unplugged', 7]],
      'Completed',
      0,
      7,
    ],
  ];
  it.each(cases)('%s', (_name, overrides, events, status, chargingFromS, endedS) => {
    const facts = events.map(([kind, offsetS]) =>
      plugEvent(kind, offsetS, { receivedAt: T0 + offsetS * 1000 }),
    );
    // Any arrival order gives the same fate.
    for (const arrival of [facts, [...facts].reverse()]) {
      const fate = sessionFateOf(session(overrides), arrival);
      expect(fate.status).toBe(status);
      expect(fate.chargingStartedAtMs).toBe(chargingFromS === null ? undefined : T0 + chargingFromS * 1000);
      expect(fate.endedAtMs).toBe(endedS === null ? undefined : T0 + endedS * 1000);
    }
  });

  it('replaySession never moves a session backwards and leaves a settled one alone', () => {
    const charging = session({ status: 'Charging', chargingStartedAt: iso(T0 + 5_000) });
    expect(replaySession(charging, [])).toBeUndefined(); // fate Authorized: no going back
    expect(replaySession(charging, [plugEvent('plugged', 5, { receivedAt: T0 + 5_000 })])).toBeUndefined();
    expect(replaySession(session({ status: 'Completed' }), [plugEvent('plugged', 5)])).toBeUndefined();
  });
});

describe('sessionUpdateFrom: the status the store conditions a session write on', () => {
  const plugAt = plugEvent('plugged', 10);
  const unplugAt = plugEvent('unplugged', 70);
  const unpluggedConnector: PlugConnector = { plugged: false, faulted: false, activeSessionId: SESSION_ID };
  const pluggedConnector: PlugConnector = { plugged: true, faulted: false, activeSessionId: SESSION_ID };

  it.each([
    ['Authorized → Charging', unpluggedConnector, session(), plugAt, 'Authorized'],
    [
      'Charging → Completed',
      pluggedConnector,
      session({ status: 'Charging', chargingStartedAt: iso(T0) }),
      unplugAt,
      'Charging',
    ],
  ] as const)('%s: the status the decision was made from', (_name, connector, read, event, from) => {
    const decision = decidePlugEvent({ connector, session: read, event });
    expect(sessionUpdateFrom(read, decision.sessionUpdate!)).toBe(from);
  });

  it('Charging → Charging: a replay that moves when charging started', () => {
    const read = session({ status: 'Charging', chargingStartedAt: iso(T0 + 5_000) });
    const update = replaySession(read, [plugEvent('plugged', 1, { receivedAt: T0 + 2_000 })])!;
    expect(update).toMatchObject({ from: 'Charging', to: 'Charging', chargingStartedAt: iso(T0 + 2_000) });
    expect(sessionUpdateFrom(read, update)).toBe('Charging');
  });

  const charging = session({ status: 'Charging', chargingStartedAt: iso(T0) });
  const completion = decidePlugEvent({ connector: pluggedConnector, session: charging, event: unplugAt })
    .sessionUpdate!;
  it.each<[string, Pick<Session, 'sessionId' | 'status'>, SessionUpdate]>([
    ['another status read', { ...charging, status: 'Authorized' }, completion],
    ['another session read', { ...charging, sessionId: '00000000-0000-4000-8000-00000000a002' }, completion],
    ['a settled session', { ...charging, status: 'Completed' }, { ...completion, from: 'Completed' }],
    [
      'a transition the state machine refuses',
      charging,
      { ...completion, to: 'Expired' } as unknown as SessionUpdate,
    ],
  ])('%s: throws a bug-class error instead of a condition that never holds', (_name, read, update) => {
    const thrown = (() => {
      try {
        sessionUpdateFrom(read, update);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(PlugDecisionError);
    expect(errorClassOf(thrown)).toBe('bug');
  });
});

// An in-memory stand-in for the repository: the same decide → persist loop, to run every permutation.
interface World {
  connector: PlugConnector & { status: ConnectorStatus };
  session?: Session;
  seen: PlugEventFacts[];
}

function applySessionUpdate(current: Session, update: SessionUpdate): Session {
  const { sessionId: _sessionId, from: _from, to, ...values } = update;
  return { ...current, ...values, status: to };
}

function run(initial: World, events: PlugEventFacts[]): World {
  let world = initial;
  for (const event of events) {
    if (world.seen.some((seen) => seen.messageId === event.messageId)) continue; // history key exists
    const held =
      world.session && world.connector.activeSessionId === world.session.sessionId
        ? world.session
        : undefined;
    const history = needsPlugHistory(world.connector, event, held) ? world.seen : undefined;
    const decision = decidePlugEvent({ connector: world.connector, session: held, event, history });
    // As the store does: the session write is conditioned on the status the decision moves it from.
    if (held && decision.sessionUpdate) sessionUpdateFrom(held, decision.sessionUpdate);
    world = {
      connector: decision.connector,
      ...(world.session
        ? {
            session: decision.sessionUpdate
              ? applySessionUpdate(world.session, decision.sessionUpdate)
              : world.session,
          }
        : {}),
      seen: [...world.seen, event],
    };
  }
  return world;
}

function permutations<Item>(items: Item[]): Item[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

function sequences(length: number): PlugEventKind[][] {
  if (length === 0) return [[]];
  return sequences(length - 1).flatMap((rest) => [
    ['plugged', ...rest] as PlugEventKind[],
    ['unplugged', ...rest] as PlugEventKind[],
  ]);
}

const initialWorlds: [string, () => World][] = [
  [
    'no session, unplugged',
    () => ({ connector: { plugged: false, faulted: false, status: 'Available' }, seen: [] }),
  ],
  [
    'Authorized session',
    () => ({
      connector: { plugged: false, faulted: false, activeSessionId: SESSION_ID, status: 'Preparing' },
      session: session({ startedAt: iso(T0 - 1_000) }),
      seen: [],
    }),
  ],
  [
    'Charging session',
    () => ({
      connector: { plugged: true, faulted: false, activeSessionId: SESSION_ID, status: 'Charging' },
      session: session({
        status: 'Charging',
        startedAt: iso(T0 - 1_000),
        chargingStartedAt: iso(T0 - 1_000),
      }),
      seen: [],
    }),
  ],
];

const statusView = (world: World) => ({
  plugged: world.connector.plugged,
  status: world.connector.status,
  activeSessionId: world.connector.activeSessionId,
  lastEventAt: world.connector.lastEventAt,
  sessionStatus: world.session?.status,
});

describe('every permutation of up to 4 plug events', () => {
  const streams = [1, 2, 3, 4].flatMap((length) => sequences(length));
  it.each(initialWorlds)(
    '%s: shuffled and replayed streams end where the in-order stream ends',
    (_name, initial) => {
      for (const kinds of streams) {
        const events = kinds.map((kind, index) => plugEvent(kind, (index + 1) * 60));
        const inOrder = run(initial(), events);
        // The connector is what the latest event says.
        expect(inOrder.connector.plugged).toBe(kinds.at(-1) === 'plugged');
        expect(inOrder.connector.lastEventAt).toBe(events.at(-1)?.at);
        // Every event twice (Lambda retries): identical, to the last field.
        expect(
          run(
            initial(),
            events.flatMap((event) => [event, event]),
          ),
        ).toEqual(inOrder);
        for (const shuffled of permutations(events)) {
          const outcome = run(initial(), shuffled);
          expect(statusView(outcome)).toEqual(statusView(inOrder));
          if (outcome.session?.status === 'Charging') {
            expect(outcome.session.chargingStartedAt).toBe(inOrder.session?.chargingStartedAt);
          }
        }
      }
    },
  );

  it('a session completes at the first unplug after its first plug when both arrive in order', () => {
    const [, initial] = initialWorlds[1]!;
    const events = [plugEvent('plugged', 60), plugEvent('unplugged', 120), plugEvent('plugged', 180)];
    const outcome = run(initial(), events);
    expect(outcome.session).toMatchObject({
      status: 'Completed',
      chargingStartedAt: iso(events[0]!.receivedAt),
      endedAt: iso(events[1]!.receivedAt),
      durationS: 60,
    });
    expect(outcome.connector).toMatchObject({
      plugged: true,
      status: 'Preparing',
      activeSessionId: undefined,
    });
    // Shuffled: the plug that arrives first starts charging, the older events replay the session to the same end.
    for (const shuffled of permutations(events)) {
      expect(run(initial(), shuffled).session).toEqual(outcome.session);
    }
  });
});
