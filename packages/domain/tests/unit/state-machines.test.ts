import { describe, expect, it } from '@jest/globals';
import {
  type ActiveSession,
  applyConnectorStatus,
  applyPlugEvent,
  type ConnectorState,
  type ConnectorStatus,
  canTransitionSession,
  connectorAvailability,
  connectorStatusOf,
  DEFAULT_CONNECTION_TIMEOUT_S,
  isActiveSessionStatus,
  isSessionExpired,
  type PlugEventKind,
  type SessionStatus,
  sessionStatuses,
} from '../../src/index.js';

const sessionId = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';

/** 'none' is a connector without a session; Completed/Expired are stale pointers a caller may still pass. */
type SessionCase = 'none' | SessionStatus;

function connectorWith(plugged: boolean, faulted: boolean, session: SessionCase): ConnectorState {
  return session === 'none' ? { plugged, faulted } : { plugged, faulted, activeSessionId: sessionId };
}

function sessionOf(session: SessionCase): ActiveSession | undefined {
  return session === 'none' ? undefined : { sessionId, status: session };
}

describe('applyPlugEvent: every connector state × session × event', () => {
  type Row = readonly [
    plugged: boolean,
    faulted: boolean,
    session: SessionCase,
    event: PlugEventKind,
    expected: ConnectorStatus | 'already-plugged' | 'not-plugged',
    sessionBecomes: SessionStatus | null,
  ];
  const rows: readonly Row[] = [
    // plugged into a free, healthy connector
    [false, false, 'none', 'plugged', 'Preparing', null],
    [false, false, 'Authorized', 'plugged', 'Charging', 'Charging'],
    [false, false, 'Charging', 'plugged', 'Charging', null],
    [false, false, 'Completed', 'plugged', 'Preparing', null],
    [false, false, 'Expired', 'plugged', 'Preparing', null],
    // plugged into a faulted connector: it stays Faulted, and an Authorized session does not start charging
    // (regression: it used to become Charging on a connector that cannot deliver energy).
    [false, true, 'none', 'plugged', 'Faulted', null],
    [false, true, 'Authorized', 'plugged', 'Faulted', null],
    [false, true, 'Charging', 'plugged', 'Faulted', null],
    [false, true, 'Completed', 'plugged', 'Faulted', null],
    [false, true, 'Expired', 'plugged', 'Faulted', null],
    // plugged twice: recorded by the caller, not applied
    [true, false, 'none', 'plugged', 'already-plugged', null],
    [true, false, 'Authorized', 'plugged', 'already-plugged', null],
    [true, false, 'Charging', 'plugged', 'already-plugged', null],
    [true, false, 'Completed', 'plugged', 'already-plugged', null],
    [true, false, 'Expired', 'plugged', 'already-plugged', null],
    [true, true, 'none', 'plugged', 'already-plugged', null],
    [true, true, 'Authorized', 'plugged', 'already-plugged', null],
    [true, true, 'Charging', 'plugged', 'already-plugged', null],
    [true, true, 'Completed', 'plugged', 'already-plugged', null],
    [true, true, 'Expired', 'plugged', 'already-plugged', null],
    // unplugged: an active session completes and the connector is released
    [true, false, 'none', 'unplugged', 'Available', null],
    [true, false, 'Authorized', 'unplugged', 'Available', 'Completed'],
    [true, false, 'Charging', 'unplugged', 'Available', 'Completed'],
    [true, false, 'Completed', 'unplugged', 'Available', null],
    [true, false, 'Expired', 'unplugged', 'Available', null],
    [true, true, 'none', 'unplugged', 'Faulted', null],
    [true, true, 'Authorized', 'unplugged', 'Faulted', 'Completed'],
    [true, true, 'Charging', 'unplugged', 'Faulted', 'Completed'],
    [true, true, 'Completed', 'unplugged', 'Faulted', null],
    [true, true, 'Expired', 'unplugged', 'Faulted', null],
    // unplugged while not plugged: recorded by the caller, not applied
    [false, false, 'none', 'unplugged', 'not-plugged', null],
    [false, false, 'Authorized', 'unplugged', 'not-plugged', null],
    [false, false, 'Charging', 'unplugged', 'not-plugged', null],
    [false, false, 'Completed', 'unplugged', 'not-plugged', null],
    [false, false, 'Expired', 'unplugged', 'not-plugged', null],
    [false, true, 'none', 'unplugged', 'not-plugged', null],
    [false, true, 'Authorized', 'unplugged', 'not-plugged', null],
    [false, true, 'Charging', 'unplugged', 'not-plugged', null],
    [false, true, 'Completed', 'unplugged', 'not-plugged', null],
    [false, true, 'Expired', 'unplugged', 'not-plugged', null],
  ];

  it('covers every combination exactly once', () => {
    const combinations = new Set(
      rows.map(([plugged, faulted, session, event]) => `${plugged}/${faulted}/${session}/${event}`),
    );
    expect(combinations.size).toBe(2 * 2 * 5 * 2);
    expect(rows).toHaveLength(combinations.size);
  });

  it.each(rows)(
    'plugged=%p faulted=%p session=%s, %s → %s, session → %s',
    (plugged, faulted, session, event, expected, sessionBecomes) => {
      const connector = Object.freeze(connectorWith(plugged, faulted, session));
      const activeSession = sessionOf(session);
      const outcome = applyPlugEvent(connector, event, activeSession && Object.freeze(activeSession));

      if (expected === 'already-plugged' || expected === 'not-plugged') {
        expect(outcome).toEqual({ applied: false, reason: expected });
        return;
      }
      // A plug keeps the session pointer; an unplug releases the connector whatever the session was.
      const connectorAfter: ConnectorState =
        event === 'plugged' ? { ...connector, plugged: true } : { plugged: false, faulted };
      expect(outcome).toEqual({
        applied: true,
        connector: connectorAfter,
        status: expected,
        ...(sessionBecomes ? { sessionChange: { sessionId, from: session, to: sessionBecomes } } : {}),
      });
    },
  );

  it('walks a whole session: authorize, plug, unplug', () => {
    const free: ConnectorState = { plugged: false, faulted: false };
    expect(connectorAvailability(free)).toEqual({ available: true, initialSessionStatus: 'Authorized' });
    const authorized: ConnectorState = { ...free, activeSessionId: sessionId };
    const plugged = applyPlugEvent(authorized, 'plugged', { sessionId, status: 'Authorized' });
    expect(plugged).toMatchObject({ applied: true, status: 'Charging', sessionChange: { to: 'Charging' } });
    if (!plugged.applied) throw new Error('unreachable');
    const unplugged = applyPlugEvent(plugged.connector, 'unplugged', { sessionId, status: 'Charging' });
    expect(unplugged).toEqual({
      applied: true,
      connector: { plugged: false, faulted: false },
      status: 'Available',
      sessionChange: { sessionId, from: 'Charging', to: 'Completed' },
    });
  });
});

describe('connectorStatusOf', () => {
  it.each([
    [false, false, 'none', 'Available'],
    [true, false, 'none', 'Preparing'],
    [false, false, 'Authorized', 'Preparing'],
    [true, false, 'Authorized', 'Preparing'],
    [true, false, 'Charging', 'Charging'],
    [false, false, 'Charging', 'Charging'],
    [false, false, 'Completed', 'Available'],
    [true, false, 'Completed', 'Preparing'],
    [false, false, 'Expired', 'Available'],
    [true, false, 'Expired', 'Preparing'],
    [false, true, 'none', 'Faulted'],
    [true, true, 'none', 'Faulted'],
    [false, true, 'Authorized', 'Faulted'],
    [true, true, 'Charging', 'Faulted'],
    [true, true, 'Completed', 'Faulted'],
  ] as const)('plugged=%p faulted=%p session=%s → %s', (plugged, faulted, session, status) => {
    expect(connectorStatusOf(connectorWith(plugged, faulted, session), sessionOf(session))).toBe(status);
  });
});

describe('connectorAvailability', () => {
  it.each([
    ['an unknown connector', undefined, { available: false, reason: 'connector-unknown' }],
    [
      'a faulted connector',
      { plugged: false, faulted: true },
      { available: false, reason: 'connector-faulted' },
    ],
    [
      'a faulted, busy connector (the fault is what matters)',
      { plugged: true, faulted: true, activeSessionId: sessionId },
      { available: false, reason: 'connector-faulted' },
    ],
    [
      'a free connector of a charger whose connector 0 is Unavailable or Faulted',
      { plugged: false, faulted: false, chargerUnavailable: true },
      { available: false, reason: 'connector-unavailable' },
    ],
    [
      'a busy, unplugged connector',
      { plugged: false, faulted: false, activeSessionId: sessionId },
      { available: false, reason: 'connector-busy' },
    ],
    [
      'a busy, plugged connector',
      { plugged: true, faulted: false, activeSessionId: sessionId },
      { available: false, reason: 'connector-busy' },
    ],
    [
      'a free, unplugged connector: the session waits for the cable',
      { plugged: false, faulted: false },
      { available: true, initialSessionStatus: 'Authorized' },
    ],
    [
      'a free, plugged connector: the session charges at once',
      { plugged: true, faulted: false },
      { available: true, initialSessionStatus: 'Charging' },
    ],
    [
      'an empty activeSessionId counts as free',
      { plugged: false, faulted: false, activeSessionId: '' },
      { available: true, initialSessionStatus: 'Authorized' },
    ],
  ] as const)('%s', (_description, connector, availability) => {
    expect(connectorAvailability(connector)).toEqual(availability);
  });
});

describe('an unavailable connector (v2 status Unavailable)', () => {
  it.each([
    [
      'unavailable refuses a new session',
      { plugged: false, faulted: false, unavailable: true },
      { available: false, reason: 'connector-unavailable' },
    ],
    [
      'unavailable and faulted: the fault is what matters',
      { plugged: true, faulted: true, unavailable: true },
      { available: false, reason: 'connector-faulted' },
    ],
    [
      'unavailable and busy: unavailable is what matters',
      { plugged: true, faulted: false, unavailable: true, activeSessionId: sessionId },
      { available: false, reason: 'connector-unavailable' },
    ],
    [
      'unavailable false is a v1 connector',
      { plugged: true, faulted: false, unavailable: false },
      { available: true, initialSessionStatus: 'Charging' },
    ],
  ] as const)('%s', (_description, connector, availability) => {
    expect(connectorAvailability(connector)).toEqual(availability);
  });

  it('shows Unavailable unless faulted, whatever the session', () => {
    const connector = { plugged: true, faulted: false, unavailable: true, activeSessionId: sessionId };
    expect(connectorStatusOf(connector, { sessionId, status: 'Charging' })).toBe('Unavailable');
    expect(connectorStatusOf({ ...connector, faulted: true })).toBe('Faulted');
  });

  it('an unplug keeps it unavailable', () => {
    const outcome = applyPlugEvent({ plugged: true, faulted: false, unavailable: true }, 'unplugged');
    expect(outcome).toMatchObject({ applied: true, status: 'Unavailable' });
  });
});

describe('applyConnectorStatus (v2 StatusNotification on the same facts as plug events)', () => {
  const free: ConnectorState = { plugged: false, faulted: false };

  it.each([
    ['Available', false, 'Available'],
    ['Preparing', false, 'Available'],
    ['Charging', true, 'Preparing'],
    ['SuspendedEV', true, 'Preparing'],
    ['SuspendedEVSE', true, 'Preparing'],
    ['Finishing', true, 'Preparing'],
    ['Reserved', false, 'Available'],
    ['Unavailable', false, 'Unavailable'],
    ['Faulted', false, 'Faulted'],
  ] as const)('%s on a free, unplugged connector → plugged %s, status %s', (status, plugged, derived) => {
    const outcome = applyConnectorStatus(free, status);
    expect(outcome.connector.plugged).toBe(plugged);
    expect(outcome.connector.faulted).toBe(status === 'Faulted');
    expect(outcome.connector.unavailable).toBe(status === 'Unavailable');
    expect(outcome.status).toBe(derived);
  });

  it('Faulted refuses new sessions, and any other status clears the fault', () => {
    const faulted = applyConnectorStatus(free, 'Faulted').connector;
    expect(connectorAvailability(faulted)).toEqual({ available: false, reason: 'connector-faulted' });
    const recovered = applyConnectorStatus(faulted, 'Available').connector;
    expect(connectorAvailability(recovered)).toEqual({ available: true, initialSessionStatus: 'Authorized' });
  });

  it('never moves plugged while the connector holds a session (sessions end by unplug or transaction/stop)', () => {
    const held: ConnectorState = { plugged: true, faulted: false, activeSessionId: sessionId };
    const outcome = applyConnectorStatus(held, 'Available', { sessionId, status: 'Charging' });
    expect(outcome.connector).toEqual({ ...held, unavailable: false });
    expect(outcome.status).toBe('Charging');
  });
});

describe('session transitions', () => {
  const allowed = new Set([
    'Authorized→Charging',
    'Authorized→Completed',
    'Authorized→Expired',
    'Charging→Completed',
  ]);
  const matrix = sessionStatuses.flatMap((from) =>
    sessionStatuses.map((to) => [from, to, allowed.has(`${from}→${to}`)] as const),
  );

  it('covers the full 4 × 4 matrix', () => {
    expect(matrix).toHaveLength(16);
  });

  it.each(matrix)('%s → %s allowed: %p', (from, to, expected) => {
    expect(canTransitionSession(from, to)).toBe(expected);
  });

  it.each([
    ['Authorized', true],
    ['Charging', true],
    ['Completed', false],
    ['Expired', false],
  ] as const)('%s is active: %p', (status, active) => {
    expect(isActiveSessionStatus(status)).toBe(active);
  });
});

describe('isSessionExpired', () => {
  const startedAt = '2026-11-25T06:30:00.000Z';
  const after = (ms: number) => new Date(Date.parse(startedAt) + ms);

  it('defaults to a 120 s connection timeout', () => {
    expect(DEFAULT_CONNECTION_TIMEOUT_S).toBe(120);
  });

  it.each([
    ['Authorized', 0, undefined, false],
    ['Authorized', 119_999, undefined, false],
    ['Authorized', 120_000, undefined, true],
    ['Authorized', 120_001, undefined, true],
    ['Authorized', 3_600_000, undefined, true],
    ['Authorized', -5_000, undefined, false], // a clock behind the start never expires it
    ['Authorized', 29_999, 30, false],
    ['Authorized', 30_000, 30, true],
    ['Authorized', 0, 0, true],
    ['Charging', 3_600_000, undefined, false],
    ['Completed', 3_600_000, undefined, false],
    ['Expired', 3_600_000, undefined, false],
  ] as const)('%s, %p ms after start, timeout %p s → %p', (status, elapsedMs, timeoutS, expired) => {
    expect(isSessionExpired({ status, startedAt }, after(elapsedMs), timeoutS)).toBe(expired);
  });
});
