import type { PendingRemoteStart, RemoteRequest } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  idTagStanding,
  planRemoteResolution,
  type RemoteOutcome,
  recentIdTags,
  remoteRequestExpiresAt,
  remoteStartAttachUntil,
  remoteStartRefusal,
} from '../../src/remote-request-rules.js';

const REQUEST = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const OTHER = '0d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a';
const SESSION = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
const now = new Date('2026-11-25T06:30:00.000Z');

const request = (overrides: Partial<RemoteRequest> = {}): RemoteRequest => ({
  requestId: REQUEST,
  action: 'start',
  chargerId: 'CP-1',
  connectorId: 1,
  userId: 'alice',
  idTag: 'TAG-1',
  status: 'pending',
  requestedAt: now.toISOString(),
  expiresAt: '2026-11-25T06:30:30.000Z',
  ...overrides,
});
const stopRequest = (overrides: Partial<RemoteRequest> = {}) =>
  request({ action: 'stop', sessionId: SESSION, transactionId: 42, ...overrides });
const pendingStart = (overrides: Partial<PendingRemoteStart> = {}): PendingRemoteStart => ({
  chargerId: 'CP-1',
  connectorId: 1,
  idTag: 'TAG-1',
  requestId: REQUEST,
  requestedAt: now.toISOString(),
  attachUntil: '2026-11-25T06:32:30.000Z',
  ...overrides,
});
const accepted: RemoteOutcome = {
  kind: 'answer',
  answer: 'Accepted',
  answeredAt: '2026-11-25T06:30:01.000Z',
};
const rejected: RemoteOutcome = {
  kind: 'answer',
  answer: 'Rejected',
  answeredAt: '2026-11-25T06:30:01.000Z',
};
const timeout: RemoteOutcome = { kind: 'timeout' };

describe('deadlines', () => {
  it('expires the request after the timeout, and a start may follow it within the connection timeout', () => {
    expect(remoteRequestExpiresAt(now)).toBe('2026-11-25T06:30:30.000Z');
    expect(remoteRequestExpiresAt(now, 5)).toBe('2026-11-25T06:30:05.000Z');
    expect(remoteStartAttachUntil('2026-11-25T06:30:30.000Z')).toBe('2026-11-25T06:32:30.000Z');
  });
});

describe('remoteStartRefusal', () => {
  const free = { plugged: false, faulted: false };
  it.each([
    ['an unknown charger', undefined, free, { kind: 'not-found' }],
    ['an unknown connector', { status: 'online' }, undefined, { kind: 'not-found' }],
    ['an unknown connector of an offline charger', { status: 'offline' }, undefined, { kind: 'not-found' }],
    ['an offline charger', { status: 'offline' }, free, { kind: 'conflict', reason: 'charger is offline' }],
    [
      'a charger not yet commissioned (registered --pending)',
      { status: 'online', registrationStatus: 'Pending' },
      free,
      { kind: 'conflict', reason: 'charger is not commissioned' },
    ],
    [
      'a connector of a charger whose connector 0 is unavailable',
      { status: 'online' },
      { ...free, chargerUnavailable: true },
      { kind: 'conflict', reason: 'connector is unavailable' },
    ],
    [
      'a faulted connector',
      { status: 'online' },
      { ...free, faulted: true },
      { kind: 'conflict', reason: 'connector is faulted' },
    ],
    [
      'an unavailable connector',
      { status: 'online' },
      { ...free, unavailable: true },
      { kind: 'conflict', reason: 'connector is unavailable' },
    ],
    [
      'a busy connector',
      { status: 'online' },
      { ...free, activeSessionId: SESSION },
      { kind: 'conflict', reason: 'connector is busy' },
    ],
    ['a free connector', { status: 'online' }, free, undefined],
    ['a plugged free connector', { status: 'online' }, { ...free, plugged: true }, undefined],
  ] as const)('%s', (_case, charger, connector, expected) => {
    expect(remoteStartRefusal(charger, connector)).toEqual(expected);
  });
});

describe('idTag choice', () => {
  it('a tag is active only when it is the caller’s, Accepted and not expired', () => {
    const tag = { userId: 'alice', status: 'Accepted' as const };
    expect(idTagStanding(tag, 'alice', now)).toBe('active');
    expect(idTagStanding(undefined, 'alice', now)).toBe('not-theirs');
    expect(idTagStanding(tag, 'bob', now)).toBe('not-theirs');
    expect(idTagStanding({ ...tag, status: 'Blocked' }, 'alice', now)).toBe('inactive');
    expect(idTagStanding({ ...tag, expiresAt: now.toISOString() }, 'alice', now)).toBe('inactive');
    expect(idTagStanding({ ...tag, expiresAt: '2027-01-01T00:00:00.000Z' }, 'alice', now)).toBe('active');
  });

  it('candidates are the tags of the sessions newest first, each once', () => {
    expect(recentIdTags([{ idTag: 'B' }, { idTag: 'A' }, { idTag: 'B' }, { idTag: 'C' }])).toEqual([
      'B',
      'A',
      'C',
    ]);
    expect(recentIdTags([])).toEqual([]);
  });
});

describe('planRemoteResolution', () => {
  it('changes nothing for a request that is missing or no longer pending (a repeat, a late answer)', () => {
    expect(planRemoteResolution({ request: undefined, outcome: accepted })).toBeUndefined();
    for (const status of ['accepted', 'rejected', 'timed-out'] as const) {
      for (const outcome of [accepted, rejected, timeout]) {
        expect(planRemoteResolution({ request: request({ status }), outcome })).toBeUndefined();
      }
    }
  });

  it('Accepted: accepted by the response; nothing cleared (the start is for transaction/start to take)', () => {
    expect(
      planRemoteResolution({ request: request(), outcome: accepted, pendingStart: pendingStart() }),
    ).toEqual({
      status: 'accepted',
      resolvedBy: 'response',
      clearPendingStart: false,
      clearSessionStop: false,
    });
  });

  it('a start Rejected or timed out clears its own pending start, never a newer one', () => {
    expect(
      planRemoteResolution({ request: request(), outcome: rejected, pendingStart: pendingStart() }),
    ).toEqual({
      status: 'rejected',
      resolvedBy: 'response',
      clearPendingStart: true,
      clearSessionStop: false,
    });
    expect(
      planRemoteResolution({
        request: request(),
        outcome: timeout,
        pendingStart: pendingStart({ requestId: OTHER }),
      }),
    ).toEqual({
      status: 'timed-out',
      resolvedBy: 'timeout',
      clearPendingStart: false,
      clearSessionStop: false,
    });
    expect(planRemoteResolution({ request: request(), outcome: timeout })).toMatchObject({
      status: 'timed-out',
      clearPendingStart: false,
    });
  });

  it('a start a transaction/start already took settles silently, whatever comes', () => {
    const taken = pendingStart({ sessionId: SESSION });
    for (const outcome of [accepted, rejected, timeout]) {
      expect(planRemoteResolution({ request: request(), outcome, pendingStart: taken })).toEqual({
        status: 'accepted',
        resolvedBy: 'session',
        clearPendingStart: false,
        clearSessionStop: false,
      });
    }
  });

  it('a stop Rejected or timed out stops naming itself on the still active session', () => {
    const session = { status: 'Charging' as const, remoteStopRequestId: REQUEST };
    expect(planRemoteResolution({ request: stopRequest(), outcome: rejected, session })).toEqual({
      status: 'rejected',
      resolvedBy: 'response',
      clearPendingStart: false,
      clearSessionStop: true,
    });
    expect(
      planRemoteResolution({
        request: stopRequest(),
        outcome: timeout,
        session: { ...session, remoteStopRequestId: OTHER },
      }),
    ).toMatchObject({ status: 'timed-out', clearSessionStop: false });
  });

  it('a stop whose session completed carrying it settles silently; one completed without it does not', () => {
    const completed = { status: 'Completed' as const, remoteStopRequestId: REQUEST };
    for (const outcome of [accepted, rejected, timeout]) {
      expect(planRemoteResolution({ request: stopRequest(), outcome, session: completed })).toMatchObject({
        status: 'accepted',
        resolvedBy: 'session',
      });
    }
    expect(
      planRemoteResolution({
        request: stopRequest(),
        outcome: timeout,
        session: { status: 'Completed', remoteStopRequestId: OTHER },
      }),
    ).toEqual({
      status: 'timed-out',
      resolvedBy: 'timeout',
      clearPendingStart: false,
      clearSessionStop: false,
    });
  });
});
