import {
  BadInputError,
  type Session,
  sessionSchema,
  type Transaction,
  type TransactionStart,
  transactionStartResponsePayloadSchema,
  transactionStopResponsePayloadSchema,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  assertSameTransactionStart,
  decideTransactionStart,
  MAX_TRANSACTION_ID,
  newTransactionSession,
  planTransactionStop,
  remoteStartAnswered,
  sessionStopCompletion,
  stopIdTagInfoOf,
  type TransactionStartFacts,
  type TransactionStartInput,
  transactionIdOf,
  transactionStartResponseOf,
  transactionStopResponseOf,
} from '../../src/rules.js';

const SESSION = '7d0c1c1e-8f7a-4c1b-9a43-5a8d7cf0b001';
const OTHER_SESSION = '7d0c1c1e-8f7a-4c1b-9a43-5a8d7cf0b002';
const REQUEST = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const start: TransactionStartFacts = {
  chargerId: 'CP-1',
  connectorId: 1,
  idTag: 'TAG-1',
  meterStart: 1_000,
  at: '2026-11-25T07:00:00.000Z',
};
const validTag = { status: 'Accepted', maxConcurrent: 1, activeSessionCount: 0 } as const;

function input(overrides: Partial<TransactionStartInput> = {}): TransactionStartInput {
  return {
    start,
    charger: { chargerId: 'CP-1' },
    connector: { plugged: false, faulted: false },
    idTag: validTag,
    activeSession: undefined,
    ...overrides,
  };
}

describe('decideTransactionStart', () => {
  it('opens a session for an accepted tag on a free connector', () => {
    expect(decideTransactionStart(input())).toEqual({ kind: 'open', idTagInfo: { status: 'Accepted' } });
  });

  it('is bad input for an unregistered charger or a connector it does not have', () => {
    expect(() => decideTransactionStart(input({ charger: undefined }))).toThrow(BadInputError);
    expect(() => decideTransactionStart(input({ connector: undefined }))).toThrow(
      expect.objectContaining({ field: 'connectorId' }),
    );
  });

  it.each([
    ['unknown', undefined, 'Invalid'],
    ['blocked', { ...validTag, status: 'Blocked' as const }, 'Blocked'],
    ['expired at the start', { ...validTag, expiresAt: start.at }, 'Expired'],
    ['at its limit', { ...validTag, activeSessionCount: 1 }, 'ConcurrentTx'],
  ])('refuses a tag that is %s with its idTagInfo', (_name, idTag, status) => {
    expect(decideTransactionStart(input({ idTag }))).toMatchObject({
      kind: 'refused',
      idTagInfo: { status },
    });
  });

  it('judges the tag at the start device time (an offline replay of a start before expiry is accepted)', () => {
    const idTag = { ...validTag, expiresAt: '2026-11-25T07:00:00.001Z' };
    expect(decideTransactionStart(input({ idTag }))).toEqual({
      kind: 'open',
      idTagInfo: { status: 'Accepted', expiryDate: idTag.expiresAt },
    });
  });

  it.each([
    ['faulted', { plugged: false, faulted: true }, 'connector-faulted'],
    ['busy', { plugged: true, faulted: false, activeSessionId: OTHER_SESSION }, 'connector-busy'],
  ])('refuses a %s connector as Invalid, keeping the reason', (_name, connector, refusal) => {
    expect(decideTransactionStart(input({ connector }))).toEqual({
      kind: 'refused',
      idTagInfo: { status: 'Invalid' },
      refusal,
    });
  });

  const v1Session = { sessionId: SESSION, status: 'Authorized' as const, idTag: 'TAG-1' };
  const heldConnector = { plugged: false, faulted: false, activeSessionId: SESSION };

  it('attaches to the session a v1 auth/request opened for the same tag, not counting it twice', () => {
    expect(
      decideTransactionStart(
        input({
          connector: heldConnector,
          activeSession: v1Session,
          idTag: { ...validTag, activeSessionCount: 1 },
        }),
      ),
    ).toEqual({
      kind: 'attach',
      idTagInfo: { status: 'Accepted' },
      sessionId: SESSION,
      sessionStatus: 'Authorized',
    });
  });

  it('does not attach to another tag, a session with a transaction, or an ended session', () => {
    for (const activeSession of [
      { ...v1Session, idTag: 'TAG-2' },
      { ...v1Session, transactionId: 7 },
      { ...v1Session, status: 'Completed' as const },
    ]) {
      expect(decideTransactionStart(input({ connector: heldConnector, activeSession }))).toMatchObject({
        kind: 'refused',
        refusal: 'connector-busy',
      });
    }
  });
});

describe('a repeated start', () => {
  const stored: TransactionStart = {
    ...start,
    requestId: REQUEST,
    transactionId: 42,
    idTagInfo: { status: 'Accepted' },
    sessionId: SESSION,
    decidedAt: '2026-11-25T07:00:00.300Z',
  };

  it('is the same start only with the same idTag and meterStart', () => {
    expect(() => assertSameTransactionStart(stored, start)).not.toThrow();
    expect(() => assertSameTransactionStart(stored, { ...start, idTag: 'TAG-2' })).toThrow(
      expect.objectContaining({ field: 'idTag' }),
    );
    expect(() => assertSameTransactionStart(stored, { ...start, meterStart: 1_001 })).toThrow(
      expect.objectContaining({ field: 'meterStart' }),
    );
  });

  it('is answered from the stored start', () => {
    const response = transactionStartResponseOf(REQUEST, stored);
    expect(transactionStartResponsePayloadSchema.parse(response)).toEqual({
      requestId: REQUEST,
      transactionId: 42,
      sessionId: SESSION,
      idTagInfo: { status: 'Accepted' },
      at: stored.decidedAt,
    });
    const refused = transactionStartResponseOf(REQUEST, {
      ...stored,
      sessionId: undefined,
      idTagInfo: { status: 'Invalid' },
    });
    expect(refused).not.toHaveProperty('sessionId');
  });
});

describe('newTransactionSession and transactionIdOf', () => {
  it('opens a Charging session from meterStart at the start device time', () => {
    const session = newTransactionSession({
      sessionId: SESSION,
      start,
      transactionId: 42,
      userId: 'alice',
      tariff: { pricePerKwhMinor: 350, currency: 'KRW' },
    });
    expect(sessionSchema.parse(session)).toMatchObject({
      status: 'Charging',
      startedAt: start.at,
      chargingStartedAt: start.at,
      energyStartWh: 1_000,
      transactionId: 42,
      energyWh: 0,
    });
  });

  it('keeps transactionIds positive and 32-bit, wrapping after the largest', () => {
    expect(transactionIdOf(1)).toBe(1);
    expect(transactionIdOf(MAX_TRANSACTION_ID)).toBe(MAX_TRANSACTION_ID);
    expect(transactionIdOf(MAX_TRANSACTION_ID + 1)).toBe(1);
  });
});

describe('planTransactionStop', () => {
  const transaction: Transaction = {
    transactionId: 42,
    chargerId: 'CP-1',
    connectorId: 1,
    idTag: 'TAG-1',
    meterStart: 1_000,
    startedAt: start.at,
    sessionId: SESSION,
  };
  const session: Session = {
    sessionId: SESSION,
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'alice',
    idTag: 'TAG-1',
    status: 'Charging',
    startedAt: start.at,
    chargingStartedAt: start.at,
    energyStartWh: 1_000,
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
    transactionId: 42,
  };
  const stop = { chargerId: 'CP-1', transactionId: 42, meterStop: 12_500, at: '2026-11-25T08:00:00.000Z' };
  const connector = { plugged: true, faulted: false, activeSessionId: SESSION };

  it('completes the session: energy = meterStop − meterStart, cost at its tariff, Local by default', () => {
    expect(
      planTransactionStop({ stop, transaction, session, connector, idTag: { activeSessionCount: 1 } }),
    ).toEqual({
      kind: 'complete',
      completion: {
        endedAt: stop.at,
        durationS: 3600,
        energyStartWh: 1_000,
        latestRegisterWh: 12_500,
        energyWh: 11_500,
        costMinor: 4025,
        stopReason: 'Local',
      },
      releaseConnector: true,
      connectorStatus: 'Preparing',
      decrementTagCount: true,
    });
  });

  it('keeps the reason the charger gave', () => {
    expect(
      sessionStopCompletion(session, transaction, { ...stop, reason: 'EVDisconnected' }).stopReason,
    ).toBe('EVDisconnected');
  });

  it('is bad input naming meterStop when it is below meterStart (never clamped)', () => {
    expect(() =>
      planTransactionStop({
        stop: { ...stop, meterStop: 999 },
        transaction,
        session,
        connector,
        idTag: undefined,
      }),
    ).toThrow(expect.objectContaining({ field: 'meterStop' }));
  });

  it('an unknown transactionId, or another charger’s, is an orphan', () => {
    const base = { stop, session: undefined, connector: undefined, idTag: undefined };
    expect(planTransactionStop({ ...base, transaction: undefined })).toEqual({ kind: 'orphan' });
    expect(planTransactionStop({ ...base, transaction: { ...transaction, chargerId: 'CP-2' } })).toEqual({
      kind: 'orphan',
    });
  });

  it('a repeated stop changes nothing; a refused start’s stop only records it', () => {
    const base = { stop, session, connector, idTag: undefined };
    expect(planTransactionStop({ ...base, transaction: { ...transaction, stoppedAt: stop.at } })).toEqual({
      kind: 'duplicate',
    });
    expect(planTransactionStop({ ...base, transaction: { ...transaction, sessionId: undefined } })).toEqual({
      kind: 'record',
      reason: 'refused-start',
    });
    expect(
      planTransactionStop({ ...base, transaction, session: { ...session, status: 'Completed' } }),
    ).toEqual({ kind: 'record', reason: 'session-ended' });
  });

  it('releases only a connector that still holds the session, and never counts a tag below 0', () => {
    const plan = planTransactionStop({
      stop,
      transaction,
      session,
      connector: { plugged: false, faulted: false },
      idTag: { activeSessionCount: 0 },
    });
    expect(plan).toMatchObject({ releaseConnector: false, decrementTagCount: false });
  });
});

describe('the stop answer', () => {
  it('carries idTagInfo without the tag’s session limit', () => {
    const now = new Date('2026-11-25T08:00:00.000Z');
    expect(stopIdTagInfoOf({ ...validTag, activeSessionCount: 1 }, now)).toEqual({ status: 'Accepted' });
    expect(stopIdTagInfoOf(undefined, now)).toEqual({ status: 'Invalid' });
    const response = transactionStopResponseOf(REQUEST, { status: 'Accepted' }, now);
    expect(transactionStopResponsePayloadSchema.parse(response)).toEqual({
      requestId: REQUEST,
      idTagInfo: { status: 'Accepted' },
      at: now.toISOString(),
    });
    expect(transactionStopResponseOf(REQUEST, undefined, now)).not.toHaveProperty('idTagInfo');
  });
});

describe('remoteStartAnswered', () => {
  const pending = {
    requestId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    attachUntil: '2026-11-25T06:32:30.000Z',
  };
  const until = Date.parse(pending.attachUntil);

  it('is the pending remote start’s requestId for a start received within its window', () => {
    expect(remoteStartAnswered(pending, until)).toBe(pending.requestId);
    expect(remoteStartAnswered(pending, until - 60_000)).toBe(pending.requestId);
  });

  it('is nothing without one, after its window, or once a session took it', () => {
    expect(remoteStartAnswered(undefined, until)).toBeUndefined();
    expect(remoteStartAnswered(pending, until + 1)).toBeUndefined();
    expect(
      remoteStartAnswered({ ...pending, sessionId: 'c9bf9e57-1685-4c89-bafb-ff5af830be8a' }, until),
    ).toBeUndefined();
  });
});
