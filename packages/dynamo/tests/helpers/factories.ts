import type { EntityOf, entities } from '../../src/index.js';

// One valid value of every entity the table stores (each checked against its schema), with overrides.

type Entities = typeof entities;
type Samples = { [Name in keyof Entities]: EntityOf<Entities[Name]> };

const chargerId = 'CP-1';
const sessionId = '6f1c1a52-3d2e-4c4e-9f3e-2b7b1f0c9a01';
const requestId = '0c8d4e0a-5b7f-4a3b-8f21-9d6e2c1b7a55';
const messageId = 'a3e5c7b9-1d2f-4e6a-8b0c-2d4f6a8c0e13';
const at = '2026-11-25T06:30:00.000Z';

const samples: Samples = {
  charger: {
    chargerId,
    connectorCount: 2,
    registeredAt: at,
    status: 'online',
    heartbeatIntervalS: 300,
    livenessWindowMs: 660_000,
  },
  chargerBoot: {
    chargerId,
    chargePointVendor: 'Acme',
    chargePointModel: 'AC-22',
    lastBootAt: at,
    lastBootReceivedAt: Date.parse(at),
    bootRequestId: requestId,
  },
  chargerStatus: {
    chargerId,
    ocppStatus: 'Faulted',
    errorCode: 'GroundFailure',
    statusAt: at,
    statusReceivedAt: Date.parse(at),
    statusMessageId: messageId,
  },
  connector: { chargerId, connectorId: 7, status: 'Available', plugged: false, faulted: false },
  connectorEvent: {
    chargerId,
    connectorId: 7,
    messageId,
    event: 'plugged',
    at,
    receivedAt: at,
    outcome: 'applied',
    connectorStatus: 'Preparing',
  },
  idTag: { idTag: 'TAG-1', userId: 'alice', status: 'Accepted', maxConcurrent: 1, activeSessionCount: 0 },
  session: {
    sessionId,
    chargerId,
    connectorId: 7,
    userId: 'alice',
    idTag: 'TAG-1',
    status: 'Authorized',
    startedAt: at,
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
  },
  userSession: { sessionId, userId: 'alice', startedAt: at },
  chargerListing: { chargerId },
  sessionListing: { sessionId, startedAt: at },
  operatorAudit: {
    auditId: 'a-1',
    at,
    operatorId: 'ops-1',
    action: 'reset',
    target: chargerId,
    outcome: 'ok',
  },
  meterReading: {
    chargerId,
    connectorId: 7,
    messageId,
    at,
    receivedAt: at,
    registerWh: 12_000,
    context: 'Sample.Periodic',
    sessionId,
  },
  meterRequest: {
    requestId,
    sessionId,
    chargerId,
    connectorId: 7,
    userId: 'alice',
    status: 'pending',
    requestedAt: at,
  },
  authAttempt: {
    chargerId,
    requestId,
    connectorId: 7,
    idTag: 'TAG-1',
    status: 'Accepted',
    sessionId,
    decidedAt: at,
  },
  transactionStart: {
    chargerId,
    connectorId: 7,
    at,
    requestId,
    idTag: 'TAG-1',
    meterStart: 12_000,
    transactionId: 42,
    idTagInfo: { status: 'Accepted' },
    sessionId,
    decidedAt: at,
  },
  transaction: {
    transactionId: 42,
    chargerId,
    connectorId: 7,
    idTag: 'TAG-1',
    meterStart: 12_000,
    startedAt: at,
    sessionId,
  },
  orphanTransactionStop: {
    chargerId,
    transactionId: 43,
    requestId,
    meterStop: 13_000,
    at,
    reason: 'Local',
    receivedAt: Date.parse(at),
  },
  command: {
    chargerId,
    requestId,
    action: 'Reset',
    payload: { type: 'Soft' },
    state: 'pending',
    sentAt: at,
    expiresAt: '2026-11-25T06:30:30.000Z',
  },
  remoteRequest: {
    requestId,
    action: 'start',
    chargerId,
    connectorId: 7,
    userId: 'alice',
    idTag: 'TAG-1',
    status: 'pending',
    requestedAt: at,
    expiresAt: '2026-11-25T06:30:30.000Z',
  },
  pendingRemoteStart: {
    chargerId,
    connectorId: 7,
    idTag: 'TAG-1',
    requestId,
    requestedAt: at,
    attachUntil: '2026-11-25T06:32:30.000Z',
  },
  counter: { counterName: 'transactionId', value: 42 },
  idempotency: {
    scope: 'notification',
    naturalKey: `session.completed#${sessionId}#${at}`,
    kind: 'session.completed',
    state: 'claimed',
    claimToken: 'claim-1',
    claimedAt: at,
    claimedUntil: Date.parse(at) + 30_000,
    attempts: 1,
  },
  alert: {
    chargerId,
    kind: 'stalled-charging',
    status: 'open',
    connectorId: 7,
    firstSeenAt: at,
    lastSeenAt: at,
    detail: 'Charging with power <= 50 W and register at 12000 Wh for 600 s',
    episodes: 1,
  },
  presenceHistory: {
    chargerId,
    events: [
      { key: 'session-1#disconnected', eventType: 'disconnected', versionNumber: 3, at: Date.parse(at) },
    ],
    updatedAt: at,
  },
};

export function sampleOf<Name extends keyof Entities>(
  name: Name,
  overrides: Partial<Samples[Name]> = {},
): Samples[Name] {
  return { ...samples[name], ...overrides };
}
