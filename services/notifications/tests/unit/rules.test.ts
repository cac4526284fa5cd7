import {
  type AuthAttempt,
  authStatuses,
  BadInputError,
  notificationBodySchema,
  type Session,
} from '@evcharge/domain';
import { entities, itemOf, STREAM_SILENT, userSessionItem } from '@evcharge/dynamo';
import { describe, expect, it } from '@jest/globals';
import {
  formatDuration,
  formatEnergy,
  formatMoney,
  formatPower,
  type ItemChange,
  notificationForChange,
} from '../../src/rules.js';

const SESSION = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a01';
const REQUEST = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a02';
const METER_REQUEST = '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a03';

// Items as they sit in the table (storage attributes included), i.e. stream images after unmarshalling.
function sessionItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `SESSION#${SESSION}`,
    sk: 'SESSION',
    gsi1pk: 'USER#user-1',
    gsi1sk: `SESSION#2026-11-25T07:00:00.000Z#${SESSION}`,
    entityType: 'Session',
    sessionId: SESSION,
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'user-1',
    idTag: 'TAG-1',
    status: 'Authorized',
    startedAt: '2026-11-25T07:00:00.000Z',
    energyStartWh: 1000,
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
    ...overrides,
  };
}

/** The session's entry in its user's list, as the transaction that opens the session writes it. */
function openingItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return userSessionItem(sessionItem(overrides) as Session);
}

/** A user-list entry as charge-authorization wrote it before entries announced openings: no charger. */
function olderOpeningItem(): Record<string, unknown> {
  const item = openingItem();
  delete item.chargerId;
  delete item.connectorId;
  return item;
}

const completedSession = sessionItem({
  status: 'Completed',
  chargingStartedAt: '2026-11-25T07:00:30.000Z',
  endedAt: '2026-11-25T08:06:00.000Z',
  durationS: 3930,
  latestRegisterWh: 13_300,
  energyWh: 12_300,
  costMinor: 4305,
});

function authAttemptItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `AUTH#CP-1#${REQUEST}`,
    sk: 'AUTH',
    entityType: 'AuthAttempt',
    chargerId: 'CP-1',
    requestId: REQUEST,
    connectorId: 2,
    idTag: 'TAG-1',
    userId: 'user-1',
    status: 'Blocked',
    decidedAt: '2026-11-25T07:00:00.000Z',
    ...overrides,
  };
}

function meterRequestItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `SESSION#${SESSION}`,
    sk: `METERREQ#${METER_REQUEST}`,
    entityType: 'MeterRequest',
    requestId: METER_REQUEST,
    sessionId: SESSION,
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'user-1',
    status: 'pending',
    requestedAt: '2026-11-25T07:30:00.000Z',
    ...overrides,
  };
}
const pendingRequest = meterRequestItem({ duePk: 'DUE#meter-request#3', dueAt: 1 });
const readingValues = {
  energyWh: 5_250,
  powerW: 7_200,
  costMinor: 1838,
  currency: 'KRW',
  lastReadingAt: '2026-11-25T07:30:02.000Z',
};

function connectorItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'CHARGER#CP-1',
    sk: 'CONNECTOR#002',
    entityType: 'Connector',
    chargerId: 'CP-1',
    connectorId: 2,
    status: 'Available',
    plugged: false,
    faulted: false,
    ...overrides,
  };
}
const faultedStatus = {
  ocppStatus: 'Faulted',
  errorCode: 'GroundFailure',
  info: 'RCD tripped',
  statusAt: '2026-11-25T07:20:00.000Z',
  statusReceivedAt: Date.parse('2026-11-25T07:20:00.150Z'),
  statusMessageId: '00000000-0000-4000-8000-0000000000f1',
};
const recoveredStatus = {
  ocppStatus: 'Available',
  errorCode: 'NoError',
  statusAt: '2026-11-25T07:25:00.000Z',
  statusReceivedAt: Date.parse('2026-11-25T07:25:00.150Z'),
  statusMessageId: '00000000-0000-4000-8000-0000000000f2',
};

function chargerItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'CHARGER#CP-1',
    sk: 'CHARGER',
    entityType: 'Charger',
    chargerId: 'CP-1',
    connectorCount: 2,
    registeredAt: '2026-11-24T00:00:00.000Z',
    status: 'offline',
    heartbeatIntervalS: 300,
    livenessWindowMs: 660_000,
    ...overrides,
  };
}

describe('the stream-silent mark agrees with the rules', () => {
  // packages/dynamo marks the auth attempts that notify no one, so the stream filter drops them: one rule in two
  // places, held together here for every status, with and without a user.
  const attempts = authStatuses.flatMap((status) => [
    { status, userId: 'user-1' },
    { status, userId: undefined },
  ]);

  it.each(attempts)(
    'an attempt $status (user $userId) is silent exactly when it notifies no one',
    (variant) => {
      const { userId, ...attempt } = {
        ...authAttemptItem({ status: variant.status }),
        userId: variant.userId,
      };
      const item = itemOf(entities.authAttempt, {
        ...(attempt as unknown as AuthAttempt),
        ...(userId ? { userId } : {}),
      });
      const silent = item[STREAM_SILENT] === true;
      expect(silent).toBe(notificationForChange({ newImage: item }) === undefined);
    },
  );
});

describe('notificationForChange: the change → notification table', () => {
  const notifying: [string, ItemChange, Record<string, unknown>, string][] = [
    [
      'UserSession INSERT (a session opened Authorized) → session.authorized',
      { newImage: openingItem() },
      {
        kind: 'session.authorized',
        audience: 'user',
        userId: 'user-1',
        chargerId: 'CP-1',
        connectorId: 1,
        sessionId: SESSION,
        at: '2026-11-25T07:00:00.000Z',
        data: {},
      },
      `session.authorized#${SESSION}#2026-11-25T07:00:00.000Z`,
    ],
    [
      'AuthAttempt INSERT Blocked with a userId → session.rejected',
      { newImage: authAttemptItem() },
      {
        kind: 'session.rejected',
        audience: 'user',
        userId: 'user-1',
        chargerId: 'CP-1',
        connectorId: 2,
        at: '2026-11-25T07:00:00.000Z',
        data: { status: 'Blocked' },
      },
      `session.rejected#CP-1#${REQUEST}#2026-11-25T07:00:00.000Z`,
    ],
    [
      'AuthAttempt INSERT Unavailable with a reason → session.rejected carrying it',
      { newImage: authAttemptItem({ status: 'Unavailable', reason: 'connector-busy' }) },
      { kind: 'session.rejected', data: { status: 'Unavailable', reason: 'connector-busy' } },
      `session.rejected#CP-1#${REQUEST}#2026-11-25T07:00:00.000Z`,
    ],
    [
      'MeterRequest pending → answered → meter.reading',
      {
        oldImage: pendingRequest,
        newImage: meterRequestItem({
          status: 'answered',
          resolvedAt: '2026-11-25T07:30:03.000Z',
          ...readingValues,
        }),
      },
      {
        kind: 'meter.reading',
        audience: 'user',
        userId: 'user-1',
        chargerId: 'CP-1',
        connectorId: 1,
        sessionId: SESSION,
        at: '2026-11-25T07:30:03.000Z',
        data: { requestId: METER_REQUEST, ...readingValues },
      },
      `meter.reading#${SESSION}#${METER_REQUEST}#2026-11-25T07:30:03.000Z`,
    ],
    [
      'MeterRequest pending → unavailable → meter.unavailable with the last known values',
      {
        oldImage: pendingRequest,
        newImage: meterRequestItem({
          status: 'unavailable',
          resolvedAt: '2026-11-25T07:30:30.000Z',
          ...readingValues,
        }),
      },
      {
        kind: 'meter.unavailable',
        sessionId: SESSION,
        at: '2026-11-25T07:30:30.000Z',
        data: { requestId: METER_REQUEST, ...readingValues },
      },
      `meter.unavailable#${SESSION}#${METER_REQUEST}#2026-11-25T07:30:30.000Z`,
    ],
    [
      'MeterRequest pending → unavailable with nothing known → meter.unavailable with only the request id',
      {
        oldImage: pendingRequest,
        newImage: meterRequestItem({ status: 'unavailable', resolvedAt: '2026-11-25T07:30:30.000Z' }),
      },
      { kind: 'meter.unavailable', data: { requestId: METER_REQUEST } },
      `meter.unavailable#${SESSION}#${METER_REQUEST}#2026-11-25T07:30:30.000Z`,
    ],
    [
      'Session Charging → Completed → session.completed',
      { oldImage: sessionItem({ status: 'Charging', energyWh: 12_000 }), newImage: completedSession },
      {
        kind: 'session.completed',
        audience: 'user',
        userId: 'user-1',
        chargerId: 'CP-1',
        connectorId: 1,
        sessionId: SESSION,
        at: '2026-11-25T08:06:00.000Z',
        data: { energyWh: 12_300, durationS: 3930, costMinor: 4305, currency: 'KRW' },
      },
      `session.completed#${SESSION}#2026-11-25T08:06:00.000Z`,
    ],
    [
      'Session Charging → Completed by a v2 transaction/stop → session.completed with the OCPP stopReason',
      {
        oldImage: sessionItem({ status: 'Charging', energyWh: 12_000 }),
        newImage: { ...completedSession, stopReason: 'EVDisconnected' },
      },
      {
        kind: 'session.completed',
        data: {
          energyWh: 12_300,
          durationS: 3930,
          costMinor: 4305,
          currency: 'KRW',
          stopReason: 'EVDisconnected',
        },
      },
      `session.completed#${SESSION}#2026-11-25T08:06:00.000Z`,
    ],
    [
      'Session Authorized → Completed (unplugged right away) → session.completed, duration from endedAt',
      {
        oldImage: sessionItem(),
        newImage: sessionItem({ status: 'Completed', endedAt: '2026-11-25T07:01:30.000Z' }),
      },
      { kind: 'session.completed', data: { energyWh: 0, durationS: 90, costMinor: 0, currency: 'KRW' } },
      `session.completed#${SESSION}#2026-11-25T07:01:30.000Z`,
    ],
    [
      'Charger offline → online → charger.online',
      {
        oldImage: chargerItem(),
        newImage: chargerItem({
          status: 'online',
          statusChangedAt: '2026-11-25T07:00:00.000Z',
          duePk: 'DUE#charger-offline#1',
        }),
      },
      {
        kind: 'charger.online',
        audience: 'operator',
        chargerId: 'CP-1',
        at: '2026-11-25T07:00:00.000Z',
        data: {},
      },
      'charger.online#CP-1#2026-11-25T07:00:00.000Z',
    ],
    [
      'Charger online → offline → charger.offline',
      {
        oldImage: chargerItem({ status: 'online', statusChangedAt: '2026-11-25T07:00:00.000Z' }),
        newImage: chargerItem({ status: 'offline', statusChangedAt: '2026-11-25T07:11:00.000Z' }),
      },
      { kind: 'charger.offline', audience: 'operator', chargerId: 'CP-1', at: '2026-11-25T07:11:00.000Z' },
      'charger.offline#CP-1#2026-11-25T07:11:00.000Z',
    ],
    [
      'Connector not faulted → faulted (v2 status) → connector.faulted with the errorCode',
      {
        oldImage: connectorItem(),
        newImage: connectorItem({ ...faultedStatus, status: 'Faulted', faulted: true }),
      },
      {
        kind: 'connector.faulted',
        audience: 'operator',
        chargerId: 'CP-1',
        connectorId: 2,
        at: '2026-11-25T07:20:00.000Z',
        data: { errorCode: 'GroundFailure', info: 'RCD tripped' },
      },
      'connector.faulted#CP-1#2#2026-11-25T07:20:00.000Z',
    ],
    [
      'Connector faulted → not faulted (a later status) → connector.recovered',
      {
        oldImage: connectorItem({ ...faultedStatus, status: 'Faulted', faulted: true }),
        newImage: connectorItem({ ...recoveredStatus }),
      },
      {
        kind: 'connector.recovered',
        audience: 'operator',
        chargerId: 'CP-1',
        connectorId: 2,
        at: '2026-11-25T07:25:00.000Z',
        data: { errorCode: 'NoError', previousErrorCode: 'GroundFailure' },
      },
      'connector.recovered#CP-1#2#2026-11-25T07:25:00.000Z',
    ],
  ];

  it.each([
    [
      'a plug event on a connector',
      { oldImage: connectorItem(), newImage: connectorItem({ plugged: true, status: 'Preparing' }) },
    ],
    [
      'a second Faulted status (still faulted)',
      {
        oldImage: connectorItem({ ...faultedStatus, faulted: true, status: 'Faulted' }),
        newImage: connectorItem({
          ...faultedStatus,
          errorCode: 'HighTemperature',
          faulted: true,
          status: 'Faulted',
          statusAt: '2026-11-25T07:21:00.000Z',
        }),
      },
    ],
    [
      'a new connector (INSERT)',
      { newImage: connectorItem({ ...faultedStatus, faulted: true, status: 'Faulted' }) },
    ],
  ])('%s notifies nothing', (_name, change) => {
    expect(notificationForChange(change)).toBeUndefined();
  });

  it.each(notifying)('%s', (_name, change, expected, naturalKey) => {
    const notification = notificationForChange(change);
    expect(notification?.body).toMatchObject({ version: 1, ...expected });
    expect(notification?.naturalKey).toBe(naturalKey);
    expect(notificationBodySchema.safeParse(notification?.body).success).toBe(true);
  });

  it('leaves userId out of operator notifications', () => {
    const notification = notificationForChange({
      oldImage: chargerItem(),
      newImage: chargerItem({ status: 'online', statusChangedAt: '2026-11-25T07:00:00.000Z' }),
    });
    expect(notification?.body).not.toHaveProperty('userId');
    expect(notification?.body).not.toHaveProperty('connectorId');
  });

  it('yields the same natural key and body when the same change is replayed', () => {
    const change = { oldImage: sessionItem({ status: 'Charging' }), newImage: completedSession };
    expect(notificationForChange(structuredClone(change))).toEqual(notificationForChange(change));
  });

  const silent: [string, ItemChange][] = [
    // The opening is announced by the session's user-list entry (below), never by the session's own insert.
    ['Session INSERT Authorized', { newImage: sessionItem() }],
    ['Session INSERT Completed', { newImage: completedSession }],
    ['UserSession rewritten (MODIFY)', { oldImage: openingItem(), newImage: openingItem() }],
    [
      'UserSession INSERT written before entries announced openings (no charger: its session’s insert did)',
      { newImage: olderOpeningItem() },
    ],
    ['Session INSERT Expired', { newImage: sessionItem({ status: 'Expired' }) }],
    [
      'Session Authorized → Charging (plugged in)',
      { oldImage: sessionItem(), newImage: sessionItem({ status: 'Charging' }) },
    ],
    [
      'Session Authorized → Expired (never plugged)',
      {
        oldImage: sessionItem(),
        newImage: sessionItem({ status: 'Expired', endedAt: '2026-11-25T07:02:00.000Z' }),
      },
    ],
    [
      'Session Charging → Charging (a periodic reading updates energy)',
      {
        oldImage: sessionItem({ status: 'Charging', energyWh: 100 }),
        newImage: sessionItem({ status: 'Charging', energyWh: 200 }),
      },
    ],
    [
      'Session Completed → Completed (rewrite)',
      { oldImage: completedSession, newImage: { ...completedSession, costMinor: 4306 } },
    ],
    ['Session REMOVE', { oldImage: completedSession }],
    [
      'AuthAttempt INSERT Accepted',
      { newImage: authAttemptItem({ status: 'Accepted', sessionId: SESSION }) },
    ],
    [
      'AuthAttempt INSERT rejected without a userId (unknown idTag)',
      { newImage: authAttemptItem({ status: 'Invalid', userId: undefined }) },
    ],
    [
      'AuthAttempt MODIFY (rewrite of a rejection)',
      { oldImage: authAttemptItem(), newImage: authAttemptItem() },
    ],
    ['MeterRequest INSERT pending', { newImage: pendingRequest }],
    ['MeterRequest pending → pending', { oldImage: pendingRequest, newImage: meterRequestItem() }],
    [
      'MeterRequest answered → answered (rewrite)',
      {
        oldImage: meterRequestItem({
          status: 'answered',
          resolvedAt: '2026-11-25T07:30:03.000Z',
          ...readingValues,
        }),
        newImage: meterRequestItem({
          status: 'answered',
          resolvedAt: '2026-11-25T07:30:03.000Z',
          ...readingValues,
        }),
      },
    ],
    [
      'MeterRequest answered → unavailable (a late sweeper cannot re-resolve)',
      {
        oldImage: meterRequestItem({
          status: 'answered',
          resolvedAt: '2026-11-25T07:30:03.000Z',
          ...readingValues,
        }),
        newImage: meterRequestItem({ status: 'unavailable', resolvedAt: '2026-11-25T07:30:30.000Z' }),
      },
    ],
    ['Charger INSERT (registered offline)', { newImage: chargerItem() }],
    [
      'Charger online → online (heartbeat refreshes lastSeenAt)',
      {
        oldImage: chargerItem({ status: 'online', lastSeenAt: '2026-11-25T07:00:00.000Z' }),
        newImage: chargerItem({ status: 'online', lastSeenAt: '2026-11-25T07:05:00.000Z' }),
      },
    ],
    ['Charger offline → offline', { oldImage: chargerItem(), newImage: chargerItem({ connected: false }) }],
    [
      'MeterReading INSERT (periodic reading)',
      {
        newImage: {
          pk: 'READINGS#CP-1#001',
          sk: 'x',
          entityType: 'MeterReading',
          context: 'Sample.Periodic',
        },
      },
    ],
    [
      'Connector MODIFY, fault unchanged',
      {
        oldImage: { entityType: 'Connector', status: 'Available', faulted: false },
        newImage: { entityType: 'Connector', status: 'Charging', faulted: false },
      },
    ],
    ['ConnectorEvent INSERT', { newImage: { entityType: 'ConnectorEvent' } }],
    ['IdTag MODIFY', { oldImage: { entityType: 'IdTag' }, newImage: { entityType: 'IdTag' } }],
    [
      'Idempotency record (our own sent-notification record)',
      { newImage: { entityType: 'Idempotency', state: 'claimed' }, oldImage: undefined },
    ],
    [
      'Idempotency record expired by TTL (REMOVE)',
      { oldImage: { entityType: 'Idempotency', state: 'sent' } },
    ],
    ['an item without entityType', { newImage: { pk: 'x', sk: 'y' } }],
  ];

  it.each(silent)('%s → nothing', (_name, change) => {
    expect(notificationForChange(change)).toBeUndefined();
  });

  it('refuses a notified transition whose item breaks the entity contract, naming the field', () => {
    expect(() =>
      notificationForChange({
        oldImage: chargerItem(),
        newImage: chargerItem({ status: 'online' }),
      }),
    ).toThrow(new BadInputError('statusChangedAt', 'is required on a status change'));
    expect(() => notificationForChange({ newImage: openingItem({ sessionId: 'not-a-uuid' }) })).toThrow(
      BadInputError,
    );
    expect(() =>
      notificationForChange({ oldImage: sessionItem(), newImage: sessionItem({ status: 'Paused' }) }),
    ).toThrow(BadInputError);
  });
});

describe('text rendering', () => {
  it('renders units for people in both languages', () => {
    expect(formatEnergy(12_345, 'en')).toBe('12.3 kWh');
    expect(formatEnergy(12_350, 'ko')).toBe('12.4 kWh');
    expect(formatEnergy(1_234_567, 'en')).toBe('1,234.6 kWh');
    expect(formatEnergy(0, 'ko')).toBe('0.0 kWh');
    expect(formatPower(7_250, 'en')).toBe('7.3 kW');
    expect(formatDuration(3930)).toBe('1:06');
    expect(formatDuration(29)).toBe('0:00');
    expect(formatDuration(36_000)).toBe('10:00');
    expect(formatMoney(4305, 'KRW', 'ko')).toBe('₩4,305');
    expect(formatMoney(4305, 'KRW', 'en')).toBe('₩4,305');
    expect(formatMoney(1234, 'USD', 'en')).toBe('$12.34');
    expect(formatMoney(1234, 'USD', 'ko')).toBe('US$12.34');
    expect(formatMoney(5, 'JPY', 'en')).toBe('¥5');
  });

  const textOf = (change: ItemChange) => notificationForChange(change)?.body.text;

  it('session.authorized', () => {
    expect(textOf({ newImage: openingItem() })).toEqual({
      ko: '충전기 CP-1 1번 커넥터에서 충전이 승인되었습니다.',
      en: 'Charging authorized at charger CP-1, connector 1.',
    });
  });

  it('session.rejected, by status and, when unavailable, by reason', () => {
    expect(textOf({ newImage: authAttemptItem() })).toEqual({
      ko: '충전기 CP-1 2번 커넥터에서 충전이 승인되지 않았습니다: 차단된 카드입니다.',
      en: 'Charging was not authorized at charger CP-1, connector 2: the card is blocked.',
    });
    expect(textOf({ newImage: authAttemptItem({ status: 'ConcurrentTx' }) })).toEqual({
      ko: '충전기 CP-1 2번 커넥터에서 충전이 승인되지 않았습니다: 이 카드는 이미 다른 충전에 사용 중입니다.',
      en: 'Charging was not authorized at charger CP-1, connector 2: the card is already in use in another session.',
    });
    expect(
      textOf({ newImage: authAttemptItem({ status: 'Unavailable', reason: 'connector-faulted' }) }),
    ).toEqual({
      ko: '충전기 CP-1 2번 커넥터에서 충전이 승인되지 않았습니다: 커넥터에 고장이 있습니다.',
      en: 'Charging was not authorized at charger CP-1, connector 2: the connector is faulted.',
    });
  });

  it('meter.reading', () => {
    const change = {
      oldImage: pendingRequest,
      newImage: meterRequestItem({
        status: 'answered',
        resolvedAt: '2026-11-25T07:30:03.000Z',
        ...readingValues,
      }),
    };
    expect(textOf(change)).toEqual({
      ko: '충전기 CP-1 1번 커넥터 현재 계량값: 5.3 kWh, 7.2 kW, ₩1,838.',
      en: 'Current reading at charger CP-1, connector 1: 5.3 kWh, 7.2 kW, ₩1,838.',
    });
  });

  it('meter.unavailable, with and without last known values', () => {
    const resolved = { status: 'unavailable', resolvedAt: '2026-11-25T07:30:30.000Z' };
    expect(
      textOf({
        oldImage: pendingRequest,
        newImage: meterRequestItem({ ...resolved, ...readingValues, powerW: undefined }),
      }),
    ).toEqual({
      ko: '충전기 CP-1 1번 커넥터에서 응답이 없어 새 계량값을 받지 못했습니다. 마지막 값: 5.3 kWh, ₩1,838.',
      en: 'No answer from charger CP-1, connector 1 for a new reading. Last known: 5.3 kWh, ₩1,838.',
    });
    expect(textOf({ oldImage: pendingRequest, newImage: meterRequestItem(resolved) })).toEqual({
      ko: '충전기 CP-1 1번 커넥터에서 응답이 없어 새 계량값을 받지 못했습니다. 아직 알려진 값이 없습니다.',
      en: 'No answer from charger CP-1, connector 1 for a new reading. No reading is known yet.',
    });
  });

  it('session.completed, in won and in a currency with minor units', () => {
    expect(textOf({ oldImage: sessionItem({ status: 'Charging' }), newImage: completedSession })).toEqual({
      ko: '충전기 CP-1 1번 커넥터 충전 완료: 12.3 kWh, 1:06, ₩4,305.',
      en: 'Charging complete at charger CP-1, connector 1: 12.3 kWh in 1:06, ₩4,305.',
    });
    expect(
      textOf({
        oldImage: sessionItem({ status: 'Charging' }),
        newImage: { ...completedSession, currency: 'USD', costMinor: 431 },
      }),
    ).toEqual({
      ko: '충전기 CP-1 1번 커넥터 충전 완료: 12.3 kWh, 1:06, US$4.31.',
      en: 'Charging complete at charger CP-1, connector 1: 12.3 kWh in 1:06, $4.31.',
    });
  });

  it('charger.offline and charger.online', () => {
    expect(
      textOf({
        oldImage: chargerItem({ status: 'online' }),
        newImage: chargerItem({ statusChangedAt: '2026-11-25T07:11:00.000Z' }),
      }),
    ).toEqual({ ko: '충전기 CP-1의 연결이 끊겼습니다 (오프라인).', en: 'Charger CP-1 went offline.' });
    expect(
      textOf({
        oldImage: chargerItem(),
        newImage: chargerItem({ status: 'online', statusChangedAt: '2026-11-25T07:00:00.000Z' }),
      }),
    ).toEqual({ ko: '충전기 CP-1의 연결이 확인되었습니다 (온라인).', en: 'Charger CP-1 is online.' });
  });
});

describe('session.completed stopReason', () => {
  it('is absent when a v1 unplug ended the session', () => {
    const completed = sessionItem({ status: 'Completed', endedAt: '2026-11-25T07:01:30.000Z' });
    const notification = notificationForChange({ oldImage: sessionItem(), newImage: completed });
    expect(notification?.body.data).not.toHaveProperty('stopReason');
  });
});
