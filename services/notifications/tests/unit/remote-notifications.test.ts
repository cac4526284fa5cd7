import { BadInputError, notificationBodySchema, type Session } from '@evcharge/domain';
import { userSessionItem } from '@evcharge/dynamo';
import { describe, expect, it } from '@jest/globals';
import { type ItemChange, notificationForChange } from '../../src/rules.js';

// Remote start/stop from the app: a RemoteRequest leaving `pending` notifies the user once (refused by the
// charger, or unanswered in time); an accepted one is told by the session's own notification, which carries
// the requestId.

const REQUEST = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const SESSION = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
const RESOLVED_AT = '2026-11-25T07:30:30.120Z';

function remoteRequestItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `REMOTEREQ#CP-1#${REQUEST}`,
    sk: 'REMOTEREQ',
    entityType: 'RemoteRequest',
    requestId: REQUEST,
    action: 'start',
    chargerId: 'CP-1',
    connectorId: 2,
    userId: 'user-1',
    idTag: 'TAG-1',
    status: 'pending',
    requestedAt: '2026-11-25T07:30:00.000Z',
    expiresAt: '2026-11-25T07:30:30.000Z',
    ...overrides,
  };
}
const pending = (overrides: Record<string, unknown> = {}) =>
  remoteRequestItem({ duePk: 'DUE#remote-request#5', dueAt: 1, ...overrides });
const stopItem = (overrides: Record<string, unknown> = {}) =>
  remoteRequestItem({ action: 'stop', sessionId: SESSION, transactionId: 42, ...overrides });

function sessionItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `SESSION#${SESSION}`,
    sk: 'SESSION',
    entityType: 'Session',
    sessionId: SESSION,
    chargerId: 'CP-1',
    connectorId: 2,
    userId: 'user-1',
    idTag: 'TAG-1',
    status: 'Charging',
    startedAt: '2026-11-25T07:31:00.000Z',
    energyWh: 0,
    pricePerKwhMinor: 350,
    costMinor: 0,
    currency: 'KRW',
    transactionId: 42,
    ...overrides,
  };
}

const rejectedBy = (action: 'start' | 'stop') => {
  const make = action === 'start' ? remoteRequestItem : stopItem;
  return {
    oldImage:
      action === 'start' ? pending() : pending({ action: 'stop', sessionId: SESSION, transactionId: 42 }),
    newImage: make({
      status: 'rejected',
      answer: 'Rejected',
      answeredAt: '2026-11-25T07:30:01.000Z',
      resolvedAt: RESOLVED_AT,
      resolvedBy: 'response',
    }),
  };
};

describe('RemoteRequest changes', () => {
  it('a remote start refused by the charger → session.rejected (remote-start-rejected, data.requestId)', () => {
    const notification = notificationForChange(rejectedBy('start'));
    expect(notification).toEqual({
      naturalKey: `session.rejected#remote#CP-1#${REQUEST}#${RESOLVED_AT}`,
      body: {
        version: 1,
        kind: 'session.rejected',
        at: RESOLVED_AT,
        audience: 'user',
        userId: 'user-1',
        chargerId: 'CP-1',
        connectorId: 2,
        data: { status: 'Rejected', reason: 'remote-start-rejected', requestId: REQUEST },
        text: {
          ko: '충전기 CP-1 2번 커넥터에서 원격 충전 시작 요청을 충전기가 거절했습니다.',
          en: 'The charger refused to start charging remotely at charger CP-1, connector 2.',
        },
      },
    });
    expect(() => notificationBodySchema.parse(notification?.body)).not.toThrow();
  });

  it('a remote stop refused → session.rejected (remote-stop-rejected) on the session', () => {
    const notification = notificationForChange(rejectedBy('stop'));
    expect(notification?.body).toMatchObject({
      kind: 'session.rejected',
      sessionId: SESSION,
      data: { status: 'Rejected', reason: 'remote-stop-rejected', requestId: REQUEST },
    });
    expect(notification?.body.text.en).toBe(
      'The charger refused to stop charging remotely at charger CP-1, connector 2.',
    );
  });

  it.each(['start', 'stop'] as const)(
    'an unanswered remote %s → remote.timeout (user, data.requestId)',
    (action) => {
      const make = action === 'start' ? remoteRequestItem : stopItem;
      const change: ItemChange = {
        oldImage: make({ duePk: 'DUE#remote-request#5', dueAt: 1 }),
        newImage: make({ status: 'timed-out', resolvedAt: RESOLVED_AT, resolvedBy: 'timeout' }),
      };
      const notification = notificationForChange(change);
      expect(notification?.naturalKey).toBe(`remote.timeout#remote#CP-1#${REQUEST}#${RESOLVED_AT}`);
      expect(notification?.body).toMatchObject({
        kind: 'remote.timeout',
        audience: 'user',
        userId: 'user-1',
        at: RESOLVED_AT,
        data: { requestId: REQUEST, action },
      });
      expect(notification?.body.text).toEqual(
        action === 'start'
          ? {
              ko: '충전기 CP-1 2번 커넥터에서 원격 충전 시작 요청에 충전기가 응답하지 않았습니다.',
              en: 'No answer from charger CP-1, connector 2 to the remote start.',
            }
          : {
              ko: '충전기 CP-1 2번 커넥터에서 원격 충전 중지 요청에 충전기가 응답하지 않았습니다.',
              en: 'No answer from charger CP-1, connector 2 to the remote stop.',
            },
      );
    },
  );

  it('yields the same natural key and body when the same change is replayed', () => {
    expect(notificationForChange(rejectedBy('start'))).toEqual(notificationForChange(rejectedBy('start')));
  });

  it.each<[string, ItemChange]>([
    ['INSERT (the request is made)', { newImage: pending() }],
    [
      'pending → accepted by the charger',
      {
        oldImage: pending(),
        newImage: remoteRequestItem({ status: 'accepted', resolvedAt: RESOLVED_AT, resolvedBy: 'response' }),
      },
    ],
    [
      'pending → accepted because the session already told the user',
      {
        oldImage: pending(),
        newImage: remoteRequestItem({ status: 'accepted', resolvedAt: RESOLVED_AT, resolvedBy: 'session' }),
      },
    ],
    [
      'rejected → rejected (a later write to a resolved request)',
      { oldImage: rejectedBy('start').newImage, newImage: rejectedBy('start').newImage },
    ],
    ['REMOVE', { oldImage: pending() }],
  ])('%s → nothing', (_name, change) => {
    expect(notificationForChange(change)).toBeUndefined();
  });

  it('refuses a resolved request without resolvedAt, naming the field', () => {
    expect(() =>
      notificationForChange({ oldImage: pending(), newImage: remoteRequestItem({ status: 'timed-out' }) }),
    ).toThrow(new BadInputError('resolvedAt', 'is required on a resolved remote request'));
  });
});

describe('the session’s own notifications carry the remote requestId', () => {
  it('session.authorized of a session a remote start opened carries data.requestId', () => {
    const opening = userSessionItem(sessionItem({ remoteStartRequestId: REQUEST }) as Session);
    const notification = notificationForChange({ newImage: opening });
    expect(notification?.body).toMatchObject({ kind: 'session.authorized', data: { requestId: REQUEST } });
  });

  it('session.authorized of any other session carries no data', () => {
    expect(notificationForChange({ newImage: userSessionItem(sessionItem() as Session) })?.body.data).toEqual(
      {},
    );
  });

  it('session.completed of a session a remote stop ended carries data.requestId beside stopReason', () => {
    const notification = notificationForChange({
      oldImage: sessionItem({ remoteStopRequestId: REQUEST }),
      newImage: sessionItem({
        remoteStopRequestId: REQUEST,
        status: 'Completed',
        endedAt: '2026-11-25T08:00:00.000Z',
        stopReason: 'Remote',
        energyWh: 5000,
        costMinor: 1750,
      }),
    });
    expect(notification?.body).toMatchObject({
      kind: 'session.completed',
      data: { requestId: REQUEST, stopReason: 'Remote', energyWh: 5000 },
    });
  });
});
