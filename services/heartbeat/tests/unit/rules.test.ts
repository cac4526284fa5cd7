import type { HeartbeatEvent, PresenceEvent } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  comparePresence,
  DEFAULT_SWEEP_ALLOWANCE_S,
  deadlinePlan,
  heartbeatDecision,
  heartbeatFacts,
  isNewerPresence,
  isOfflineDue,
  offlineSweepCutoffMs,
  presenceEffect,
  presencePlan,
  type StoredDeadline,
  type StoredLiveness,
} from '../../src/rules.js';

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('isOfflineDue', () => {
  it.each([
    ['online', T0, T0 + 60_000 - 1, false],
    ['online', T0, T0 + 60_000, true],
    ['online', T0, T0 + 60_001, true],
    ['offline', T0, T0 + 60_001, false],
    ['online', undefined, T0 + 60_000, false],
  ] as const)('status %s, dueAt %p, now %p → due %p (60 s allowance)', (status, dueAt, now, expected) => {
    expect(isOfflineDue(status, dueAt, now)).toBe(expected);
  });

  it('waits the allowance past the deadline, so a sign of life still in flight lands first', () => {
    expect(offlineSweepCutoffMs(T0)).toBe(T0 - DEFAULT_SWEEP_ALLOWANCE_S * 1000);
    expect(isOfflineDue('online', T0, T0 + 1_000, 2)).toBe(false);
    expect(isOfflineDue('online', T0, T0 + 2_000, 2)).toBe(true);
    expect(isOfflineDue('online', T0, T0, 0)).toBe(true);
  });
});

describe('deadlinePlan (the sweeper: grace ran out, or the backstop on a connected charger)', () => {
  const settings = { graceS: 60, backstopS: 3600 };
  const now = T0 + 10 * 3_600_000;
  const dueArmed: StoredDeadline = {
    status: 'online',
    connected: true,
    deadlineArmed: true,
    heartbeatIntervalS: 300,
    dueAt: now - 61_000,
    lastSeenAt: iso(now - 300_000),
    onlineSince: iso(T0),
  };
  it.each([
    ['connected, heard 5 min ago', {}, { kind: 'rearm', dueAtMs: now - 300_000 + 3_600_000 }],
    [
      'connected, silent exactly one window (+ allowance)',
      { lastSeenAt: iso(now - 3_660_000) },
      { kind: 'offline' },
    ],
    [
      'connected, silent just under it',
      { lastSeenAt: iso(now - 3_659_999) },
      { kind: 'rearm', dueAtMs: now + 1 - 60_000 },
    ],
    [
      'connected, never heartbeated: counts from going online',
      { lastSeenAt: undefined, onlineSince: iso(now - 60_000) },
      { kind: 'rearm', dueAtMs: now - 60_000 + 3_600_000 },
    ],
    [
      'connected, long interval: window 2 × interval + grace',
      { heartbeatIntervalS: 3600, lastSeenAt: iso(now - 4_000_000) },
      { kind: 'rearm', dueAtMs: now - 4_000_000 + 7_260_000 },
    ],
    ['disconnected, grace over', { connected: false }, { kind: 'offline' }],
    ['not yet due (inside the allowance)', { dueAt: now - 59_000 }, { kind: 'none' }],
    ['already offline', { status: 'offline' }, { kind: 'none' }],
    ['deadline disarmed', { deadlineArmed: false }, { kind: 'none' }],
  ] as const)('%s', (_label, overrides, expected) => {
    expect(deadlinePlan({ ...dueArmed, ...overrides }, now, settings, 60)).toEqual(expected);
  });

  it('re-arms a talking charger once per window, never per heartbeat: the next due time is in the future', () => {
    const plan = deadlinePlan({ ...dueArmed, lastSeenAt: iso(now - 1_000) }, now, settings, 60);
    expect(plan).toEqual({ kind: 'rearm', dueAtMs: now - 1_000 + 3_600_000 });
  });
});

describe('presence ordering', () => {
  it.each([
    [{ versionNumber: 1, timestamp: 100 }, { versionNumber: 2, timestamp: 50 }, -1],
    [{ versionNumber: 2, timestamp: 50 }, { versionNumber: 1, timestamp: 100 }, 1],
    [{ versionNumber: 3, timestamp: 100 }, { versionNumber: 3, timestamp: 200 }, -1],
    [{ versionNumber: 3, timestamp: 200 }, { versionNumber: 3, timestamp: 100 }, 1],
    [{ versionNumber: 3, timestamp: 100 }, { versionNumber: 3, timestamp: 100 }, 0],
  ])('compare(%o, %o) has sign %p', (a, b, sign) => {
    expect(Math.sign(comparePresence(a, b))).toBe(sign);
  });

  it.each([
    ['nothing applied yet', {}, true],
    ['older version applied', { presenceVersion: 1, presenceTimestamp: 999 }, true],
    ['same version, earlier timestamp applied', { presenceVersion: 2, presenceTimestamp: 99 }, true],
    ['the same event (duplicate)', { presenceVersion: 2, presenceTimestamp: 100 }, false],
    ['same version, later timestamp applied', { presenceVersion: 2, presenceTimestamp: 101 }, false],
    ['newer version applied', { presenceVersion: 3, presenceTimestamp: 1 }, false],
  ])('event (2, 100) over %s → applied %p', (_label, applied, expected) => {
    expect(isNewerPresence({ versionNumber: 2, timestamp: 100 }, applied)).toBe(expected);
  });
});

const connected = (timestamp: number): PresenceEvent => ({
  eventType: 'connected',
  clientId: 'CP-1',
  timestamp,
  versionNumber: 1,
  sessionIdentifier: 's',
  principalIdentifier: 'p',
});
const disconnected = (timestamp: number, clean: boolean): PresenceEvent => ({
  eventType: 'disconnected',
  clientId: 'CP-1',
  timestamp,
  versionNumber: 1,
  sessionIdentifier: 's',
  principalIdentifier: 'p',
  clientInitiatedDisconnect: clean,
  disconnectReason: clean ? 'CLIENT_INITIATED_DISCONNECT' : 'MQTT_KEEP_ALIVE_TIMEOUT',
});

describe('presenceEffect', () => {
  const settings = (graceS: number) => ({ graceS, backstopS: 3600 });
  it.each([
    ['connected: backstop armed', connected(T0), 60, { kind: 'online', atMs: T0, dueAtMs: T0 + 3_600_000 }],
    ['clean disconnect', disconnected(T0, true), 60, { kind: 'grace', atMs: T0, deadlineMs: T0 + 60_000 }],
    [
      'clean disconnect, grace 30 s',
      disconnected(T0, true),
      30,
      { kind: 'grace', atMs: T0, deadlineMs: T0 + 30_000 },
    ],
    ['unclean disconnect', disconnected(T0, false), 60, { kind: 'offline', atMs: T0 }],
  ])('%s → %o', (_label, event, graceS, expected) => {
    expect(presenceEffect(event, settings(graceS))).toEqual(expected);
  });
});

describe('presencePlan', () => {
  const now = T0 + 1_000;
  const DUE = T0 + 3_600_000;
  it.each([
    [
      'connect, nothing seen yet',
      'online',
      { status: 'offline' },
      { kind: 'online', moveDeadline: true, dueAtMs: DUE },
    ],
    [
      'connect after the last message',
      'online',
      { status: 'offline', lastSeenAt: iso(T0 - 1) },
      { kind: 'online', moveDeadline: true, dueAtMs: DUE },
    ],
    [
      'connect older than the last message, online',
      'online',
      { status: 'online', lastSeenAt: iso(T0 + 1) },
      { kind: 'record', connected: true },
    ],
    [
      'connect older than a message that left a live deadline',
      'online',
      { status: 'offline', lastSeenAt: iso(T0 + 1), dueAt: now + 1 },
      { kind: 'online', moveDeadline: false, dueAtMs: DUE },
    ],
    [
      'connect older than a message whose deadline passed',
      'online',
      { status: 'offline', lastSeenAt: iso(T0 + 1), dueAt: now },
      { kind: 'record', connected: true },
    ],
    [
      'clean disconnect while online',
      'grace',
      { status: 'online', lastSeenAt: iso(T0) },
      { kind: 'grace', deadlineMs: T0 + 60_000 },
    ],
    [
      'unclean disconnect while online',
      'offline',
      { status: 'online', lastSeenAt: iso(T0 - 5) },
      { kind: 'offline' },
    ],
    ['disconnect while offline', 'offline', { status: 'offline' }, { kind: 'record', connected: false }],
    [
      'disconnect superseded by a later message',
      'offline',
      { status: 'online', lastSeenAt: iso(T0 + 1) },
      { kind: 'record' },
    ],
    [
      'clean disconnect superseded by a later message',
      'grace',
      { status: 'online', lastSeenAt: iso(T0 + 1) },
      { kind: 'record' },
    ],
  ] as const)('%s', (_label, kind, stored, expected) => {
    const effect =
      kind === 'grace'
        ? ({ kind, atMs: T0, deadlineMs: T0 + 60_000 } as const)
        : kind === 'online'
          ? ({ kind, atMs: T0, dueAtMs: DUE } as const)
          : ({ kind, atMs: T0 } as const);
    expect(presencePlan(effect, stored, now)).toEqual(expected);
  });
});

const heartbeat = (overrides: Partial<HeartbeatEvent> = {}): HeartbeatEvent => ({
  at: iso(T0),
  chargerId: 'CP-1',
  clientId: 'CP-1',
  receivedAt: T0,
  ...overrides,
});

describe('heartbeatFacts', () => {
  it('uses the server receive time for liveness and keeps the device time beside it', () => {
    const facts = heartbeatFacts(heartbeat({ at: iso(T0 - 10 * 60_000), firmware: '1.2.3' }));
    expect(facts).toEqual({
      seenAtMs: T0,
      seenAt: iso(T0),
      deviceAt: iso(T0 - 10 * 60_000),
      clockSkewFlagged: true,
      firmware: '1.2.3',
      throttleBefore: iso(T0 - 30_000),
      backstopDueAtMs: T0 + 3_600_000,
    });
  });

  it('keeps a reported interval, and arms a revival at the backstop of these settings', () => {
    expect(heartbeatFacts(heartbeat({ intervalS: 60 }), { graceS: 5, backstopS: 10 })).toMatchObject({
      heartbeatIntervalS: 60,
      backstopDueAtMs: T0 + 10_000,
    });
  });
});

describe('heartbeatDecision', () => {
  const armed: StoredLiveness = {
    status: 'online',
    deadlineArmed: true,
    connected: true,
    lastSeenAt: iso(T0 - 10_000),
    clockSkewFlagged: false,
    firmware: '1.0.0',
    heartbeatIntervalS: 300,
  };
  it.each([
    ['online, seen 10 s ago, nothing new', 'throttled', {}, {}],
    ['online, seen exactly 30 s ago', 'throttled', { lastSeenAt: iso(T0 - 30_000) }, {}],
    ['online, seen 30.001 s ago', 'refresh', { lastSeenAt: iso(T0 - 30_001) }, {}],
    ['offline', 'revive', { status: 'offline', deadlineArmed: false }, {}],
    ['never seen (online, armed)', 'refresh', { lastSeenAt: undefined }, {}],
    ['deadline not armed', 'revive', { deadlineArmed: false }, {}],
    [
      'within grace after a clean disconnect',
      'revive',
      { connected: false, presenceTimestamp: T0 - 5_000 },
      {},
    ],
    ['firmware changed', 'refresh', {}, { firmware: '1.0.1' }],
    ['same firmware reported', 'throttled', {}, { firmware: '1.0.0' }],
    ['interval changed', 'refresh', {}, { intervalS: 60 }],
    ['skew appears', 'refresh', {}, { at: iso(T0 - 6 * 60_000) }],
    ['skew flag cleared', 'refresh', { clockSkewFlagged: true }, {}],
    ['not newer than the last sign of life', 'stale', { lastSeenAt: iso(T0) }, {}],
    [
      'received before the last disconnect',
      'stale',
      { status: 'offline', connected: false, presenceTimestamp: T0 },
      {},
    ],
    [
      'received after the last disconnect',
      'revive',
      { status: 'offline', connected: false, presenceTimestamp: T0 - 1 },
      {},
    ],
  ] as const)('%s → %s', (_label, expected, storedOverrides, eventOverrides) => {
    const facts = heartbeatFacts(heartbeat(eventOverrides));
    expect(heartbeatDecision({ ...armed, ...storedOverrides }, facts)).toBe(expected);
  });
});
