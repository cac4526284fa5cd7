import {
  authorizeResponsePayloadSchema,
  authResponsePayloadSchema,
  BadInputError,
  sessionSchema,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  type AuthorizationDecision,
  type AuthorizationInput,
  assertSameAuthRequest,
  authAttemptOf,
  authorizeResponseOf,
  authResponseOf,
  decideAuthorization,
  decideIdTag,
  idTagInfoOf,
  newSession,
  planSessionExpiry,
  sessionExpiryDueAt,
} from '../../src/rules.js';

const now = new Date('2026-11-25T07:00:00.000Z');
const SESSION = '7d0c1c1e-8f7a-4c1b-9a43-5a8d7cf0b001';
const OTHER_SESSION = '7d0c1c1e-8f7a-4c1b-9a43-5a8d7cf0b002';

const validTag = { status: 'Accepted', maxConcurrent: 1, activeSessionCount: 0 } as const;
const freeConnector = { plugged: false, faulted: false };

function input(overrides: Partial<AuthorizationInput> = {}): AuthorizationInput {
  return {
    chargerId: 'CP-1',
    charger: { chargerId: 'CP-1' },
    connector: freeConnector,
    idTag: validTag,
    now,
    ...overrides,
  };
}

describe('decideAuthorization', () => {
  const cases: [string, Partial<AuthorizationInput>, AuthorizationDecision][] = [
    ['valid tag, free unplugged connector', {}, { status: 'Accepted', initialSessionStatus: 'Authorized' }],
    [
      'valid tag, free plugged connector starts charging',
      { connector: { plugged: true, faulted: false } },
      { status: 'Accepted', initialSessionStatus: 'Charging' },
    ],
    ['unknown tag', { idTag: undefined }, { status: 'Invalid', reason: 'idtag-unknown' }],
    [
      'blocked tag',
      { idTag: { ...validTag, status: 'Blocked' } },
      { status: 'Blocked', reason: 'idtag-blocked' },
    ],
    [
      'tag expired exactly now',
      { idTag: { ...validTag, expiresAt: now.toISOString() } },
      { status: 'Expired', reason: 'idtag-expired' },
    ],
    [
      'tag expired earlier',
      { idTag: { ...validTag, expiresAt: '2026-11-24T00:00:00.000Z' } },
      { status: 'Expired', reason: 'idtag-expired' },
    ],
    [
      'tag expiring 1 ms later is still valid',
      { idTag: { ...validTag, expiresAt: '2026-11-25T07:00:00.001Z' } },
      { status: 'Accepted', initialSessionStatus: 'Authorized' },
    ],
    [
      'tag at its concurrent limit',
      { idTag: { ...validTag, activeSessionCount: 1 } },
      { status: 'ConcurrentTx', reason: 'idtag-concurrent-limit' },
    ],
    [
      'tag below a higher limit',
      { idTag: { ...validTag, maxConcurrent: 3, activeSessionCount: 2 } },
      { status: 'Accepted', initialSessionStatus: 'Authorized' },
    ],
    ['unknown connector', { connector: undefined }, { status: 'Unavailable', reason: 'connector-unknown' }],
    [
      'faulted connector',
      { connector: { plugged: false, faulted: true } },
      { status: 'Unavailable', reason: 'connector-faulted' },
    ],
    [
      'connector held by another session',
      { connector: { ...freeConnector, activeSessionId: OTHER_SESSION } },
      { status: 'Unavailable', reason: 'connector-busy' },
    ],
    // Order: tag checks come before connector checks, and within tags as OCPP lists them.
    [
      'unknown tag on a faulted connector is Invalid',
      { idTag: undefined, connector: { plugged: false, faulted: true } },
      { status: 'Invalid', reason: 'idtag-unknown' },
    ],
    [
      'blocked and expired tag is Blocked',
      { idTag: { ...validTag, status: 'Blocked', expiresAt: '2026-01-01T00:00:00.000Z' } },
      { status: 'Blocked', reason: 'idtag-blocked' },
    ],
    [
      'expired tag at its limit is Expired',
      { idTag: { ...validTag, activeSessionCount: 1, expiresAt: '2026-01-01T00:00:00.000Z' } },
      { status: 'Expired', reason: 'idtag-expired' },
    ],
    [
      'tag at its limit on a busy connector is ConcurrentTx',
      {
        idTag: { ...validTag, activeSessionCount: 1 },
        connector: { ...freeConnector, activeSessionId: OTHER_SESSION },
      },
      { status: 'ConcurrentTx', reason: 'idtag-concurrent-limit' },
    ],
    [
      'faulted connector that also holds a session is faulted',
      { connector: { plugged: true, faulted: true, activeSessionId: OTHER_SESSION } },
      { status: 'Unavailable', reason: 'connector-faulted' },
    ],
  ];

  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(decideAuthorization(input(overrides))).toEqual(expected);
  });

  it('refuses an unregistered charger as bad input, whatever else is true', () => {
    expect(() => decideAuthorization(input({ charger: undefined }))).toThrow(BadInputError);
    expect(() => decideAuthorization(input({ charger: undefined, idTag: undefined }))).toThrow(
      /chargerId: charger "CP-1" is not registered/,
    );
  });
});

describe('assertSameAuthRequest', () => {
  const stored = { chargerId: 'CP-1', requestId: SESSION, connectorId: 1, idTag: 'TAG-1' };
  it('accepts the same content', () => {
    expect(() => assertSameAuthRequest(stored, { ...stored })).not.toThrow();
  });
  it.each([
    ['another connector', { connectorId: 2 }],
    ['another tag', { idTag: 'TAG-2' }],
  ])('refuses a reused requestId with %s', (_name, change) => {
    expect(() => assertSameAuthRequest(stored, { ...stored, ...change })).toThrow(BadInputError);
  });
});

describe('session, attempt and response', () => {
  const request = {
    chargerId: 'CP-1',
    requestId: '11111111-2222-4333-8444-555555555555',
    connectorId: 2,
    idTag: 'TAG-1',
  };
  const tariff = { pricePerKwhMinor: 350, currency: 'KRW' };

  it('creates an Authorized session with the tariff and the connector register', () => {
    const session = newSession({
      sessionId: SESSION,
      request,
      userId: 'user-1',
      initialSessionStatus: 'Authorized',
      startedAt: now,
      energyStartWh: 12_345,
      tariff,
    });
    expect(sessionSchema.parse(session)).toEqual({
      sessionId: SESSION,
      chargerId: 'CP-1',
      connectorId: 2,
      userId: 'user-1',
      idTag: 'TAG-1',
      status: 'Authorized',
      startedAt: now.toISOString(),
      energyStartWh: 12_345,
      energyWh: 0,
      costMinor: 0,
      pricePerKwhMinor: 350,
      currency: 'KRW',
    });
  });

  it('a Charging session starts charging when it starts, and has no register when none is known', () => {
    const session = newSession({
      sessionId: SESSION,
      request,
      userId: 'user-1',
      initialSessionStatus: 'Charging',
      startedAt: now,
      energyStartWh: undefined,
      tariff,
    });
    expect(session.chargingStartedAt).toBe(now.toISOString());
    expect(session).not.toHaveProperty('energyStartWh');
  });

  it('expires an Authorized session connectionTimeoutS after it started', () => {
    expect(sessionExpiryDueAt(now.toISOString(), 120)).toBe(now.getTime() + 120_000);
    expect(sessionExpiryDueAt(now.toISOString())).toBe(now.getTime() + 120_000);
  });

  it('answers an Accepted attempt with its sessionId and no reason', () => {
    const attempt = authAttemptOf(
      request,
      { status: 'Accepted', initialSessionStatus: 'Authorized' },
      { userId: 'user-1', sessionId: SESSION, decidedAt: now },
    );
    const response = authResponsePayloadSchema.parse(authResponseOf(attempt));
    expect(response).toEqual({
      requestId: request.requestId,
      status: 'Accepted',
      sessionId: SESSION,
      at: now.toISOString(),
    });
  });

  it('answers a rejection with its reason and no sessionId, and records no userId for an unknown tag', () => {
    const attempt = authAttemptOf(
      request,
      { status: 'Invalid', reason: 'idtag-unknown' },
      { userId: undefined, sessionId: undefined, decidedAt: now },
    );
    expect(attempt).not.toHaveProperty('userId');
    expect(authResponsePayloadSchema.parse(authResponseOf(attempt))).toEqual({
      requestId: request.requestId,
      status: 'Invalid',
      reason: 'idtag-unknown',
      at: now.toISOString(),
    });
  });
});

describe('planSessionExpiry', () => {
  const startedAt = '2026-11-25T06:57:00.000Z'; // 3 minutes before `now`
  const authorized = { sessionId: SESSION, status: 'Authorized', startedAt } as const;
  const holding = { plugged: false, faulted: false, activeSessionId: SESSION };

  it('expires an Authorized session past the timeout, releasing its connector and tag', () => {
    expect(
      planSessionExpiry({ session: authorized, connector: holding, idTag: { activeSessionCount: 1 }, now }),
    ).toEqual({
      expire: true,
      releaseConnector: true,
      connectorStatus: 'Available',
      decrementTagCount: true,
    });
  });

  it('leaves a faulted connector Faulted when it releases it', () => {
    const plan = planSessionExpiry({
      session: authorized,
      connector: { ...holding, faulted: true },
      idTag: { activeSessionCount: 1 },
      now,
    });
    expect(plan).toMatchObject({ expire: true, connectorStatus: 'Faulted' });
  });

  it.each(['Charging', 'Completed', 'Expired'] as const)('skips a %s session', (status) => {
    expect(
      planSessionExpiry({
        session: { ...authorized, status },
        connector: holding,
        idTag: { activeSessionCount: 1 },
        now,
      }),
    ).toEqual({ expire: false, reason: 'not-authorized' });
  });

  it('skips a session that is not yet past the timeout', () => {
    expect(
      planSessionExpiry({
        session: authorized,
        connector: holding,
        idTag: { activeSessionCount: 1 },
        now,
        connectionTimeoutS: 600,
      }),
    ).toEqual({ expire: false, reason: 'not-due' });
  });

  it('does not touch a connector that holds another session, nor take a tag count below 0', () => {
    expect(
      planSessionExpiry({
        session: authorized,
        connector: { ...holding, activeSessionId: OTHER_SESSION },
        idTag: { activeSessionCount: 0 },
        now,
      }),
    ).toEqual({
      expire: true,
      releaseConnector: false,
      connectorStatus: undefined,
      decrementTagCount: false,
    });
  });
});

describe('idTagInfoOf (OCPP Authorize)', () => {
  const now = new Date('2026-11-25T06:30:00.000Z');
  const tag = { status: 'Accepted' as const, maxConcurrent: 1, activeSessionCount: 0 };
  it.each([
    ['an unknown tag', undefined, { status: 'Invalid' }],
    ['a usable tag', tag, { status: 'Accepted' }],
    ['a blocked tag', { ...tag, status: 'Blocked' as const }, { status: 'Blocked' }],
    [
      'an expired tag, with its expiry',
      { ...tag, expiresAt: '2026-11-25T06:00:00.000Z' },
      { status: 'Expired', expiryDate: '2026-11-25T06:00:00.000Z' },
    ],
    ['a tag at its limit', { ...tag, activeSessionCount: 1 }, { status: 'ConcurrentTx' }],
  ])('%s', (_description, idTag, expected) => {
    expect(idTagInfoOf(idTag, now)).toEqual(expected);
  });

  it('answers with a schema-valid authorize/response', () => {
    const response = authorizeResponseOf('8f14e45f-ceea-467a-9e2b-6e2c1f2a1b3c', tag, now);
    expect(authorizeResponsePayloadSchema.parse(response)).toEqual(response);
  });

  it('decides the tag exactly as an auth request does', () => {
    const blocked = { ...tag, status: 'Blocked' as const };
    const charger = { chargerId: 'CP-1' };
    expect(
      decideAuthorization({ chargerId: 'CP-1', charger, connector: undefined, idTag: blocked, now }),
    ).toEqual(decideIdTag(blocked, now));
  });
});
