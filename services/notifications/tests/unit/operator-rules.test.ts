import { BadInputError, notificationBodySchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { type ItemChange, notificationForChange } from '../../src/rules.js';

// The operator kinds of contract v2: charger.pending (ChargerBoot), transaction.orphan (OrphanTransactionStop)
// and command.result (Command), each one notification per state change, whatever else the item's writes do.

const COMMAND = '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';

function bootItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'CHARGER#CP-1',
    sk: 'BOOT',
    entityType: 'ChargerBoot',
    chargerId: 'CP-1',
    chargePointVendor: 'Alfen BV',
    chargePointModel: 'NG920-5250',
    firmwareVersion: '6.1.0',
    lastBootAt: '2026-11-25T06:30:00.000Z',
    lastBootReceivedAt: Date.parse('2026-11-25T06:30:00.100Z'),
    bootRequestId: '3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c1e',
    bootAnswerStatus: 'Pending',
    ...overrides,
  };
}

function orphanItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'ORPHANSTOP#CP-1#77',
    sk: 'ORPHANSTOP',
    entityType: 'OrphanTransactionStop',
    chargerId: 'CP-1',
    transactionId: 77,
    requestId: '2b3c4d5e-6f70-4a1b-8c2d-3e4f5a6b7c8d',
    meterStop: 1_245_000,
    at: '2026-11-25T07:31:00.000Z',
    reason: 'Local',
    receivedAt: Date.parse('2026-11-25T07:31:00.200Z'),
    ...overrides,
  };
}

function commandItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: `COMMAND#CP-1#${COMMAND}`,
    sk: 'COMMAND',
    entityType: 'Command',
    chargerId: 'CP-1',
    requestId: COMMAND,
    action: 'Reset',
    payload: { type: 'Soft' },
    state: 'pending',
    sentAt: '2026-11-25T06:50:00.000Z',
    expiresAt: '2026-11-25T06:50:30.000Z',
    ...overrides,
  };
}
const answer = {
  state: 'answered',
  answerStatus: 'Accepted',
  answerAt: '2026-11-25T06:50:01.000Z',
  answerReceivedAt: '2026-11-25T06:50:01.120Z',
  lateAnswer: false,
};
const timedOut = { state: 'timedOut', timedOutAt: '2026-11-25T06:50:30.000Z' };

const kindOf = (change: ItemChange) => notificationForChange(change)?.body.kind;

describe('charger.pending', () => {
  it('on the first boot answered Pending, and on a Pending boot after an Accepted one', () => {
    const first = notificationForChange({ newImage: bootItem() });
    expect(first?.body).toEqual({
      version: 1,
      kind: 'charger.pending',
      at: '2026-11-25T06:30:00.000Z',
      audience: 'operator',
      chargerId: 'CP-1',
      data: { chargePointVendor: 'Alfen BV', chargePointModel: 'NG920-5250', firmwareVersion: '6.1.0' },
      text: {
        ko: '충전기 CP-1가 부팅했으나 아직 승인되지 않았습니다 (Pending). 운영자 승인이 필요합니다.',
        en: 'Charger CP-1 booted and is waiting to be commissioned (Pending).',
      },
    });
    expect(first?.naturalKey).toBe('charger.pending#CP-1#2026-11-25T06:30:00.000Z');
    const again = bootItem({ lastBootAt: '2026-11-25T09:00:00.000Z' });
    expect(kindOf({ oldImage: bootItem({ bootAnswerStatus: 'Accepted' }), newImage: again })).toBe(
      'charger.pending',
    );
  });

  it('is silent for a Pending charger booting again, an Accepted boot, a status report and an older record', () => {
    const reboot = bootItem({ lastBootAt: '2026-11-25T06:35:00.000Z' });
    expect(kindOf({ oldImage: bootItem(), newImage: reboot })).toBeUndefined();
    expect(kindOf({ newImage: bootItem({ bootAnswerStatus: 'Accepted' }) })).toBeUndefined();
    expect(
      kindOf({ oldImage: bootItem(), newImage: bootItem({ bootAnswerStatus: 'Accepted' }) }),
    ).toBeUndefined();
    const firmware = bootItem({ firmwareStatus: 'Installing', firmwareStatusAt: '2026-11-25T06:40:00.000Z' });
    expect(kindOf({ oldImage: bootItem(), newImage: firmware })).toBeUndefined();
    const { bootAnswerStatus: _, ...beforeAnswers } = bootItem();
    expect(kindOf({ newImage: beforeAnswers })).toBeUndefined();
  });
});

describe('transaction.orphan', () => {
  it('once, when the orphan stop is first kept', () => {
    const change = { newImage: orphanItem({ idTag: 'RFID-9' }) };
    const notification = notificationForChange(change);
    expect(notification?.body).toMatchObject({
      kind: 'transaction.orphan',
      audience: 'operator',
      chargerId: 'CP-1',
      at: '2026-11-25T07:31:00.000Z',
      data: { transactionId: 77, meterStop: 1_245_000, reason: 'Local', idTag: 'RFID-9' },
    });
    expect(notification?.body).not.toHaveProperty('connectorId');
    expect(notification?.naturalKey).toBe('transaction.orphan#CP-1#77#2026-11-25T07:31:00.000Z');
    expect(notificationForChange(change)).toEqual(notification);
    expect(kindOf({ oldImage: orphanItem(), newImage: orphanItem() })).toBeUndefined();
  });
});

describe('command.result', () => {
  it('pending → answered: the charger status, and the payload where it has one', () => {
    const notification = notificationForChange({
      oldImage: commandItem(),
      newImage: commandItem({
        ...answer,
        action: 'GetConfiguration',
        payload: {},
        answerPayload: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
      }),
    });
    expect(notification?.body).toMatchObject({
      kind: 'command.result',
      audience: 'operator',
      chargerId: 'CP-1',
      at: answer.answerReceivedAt,
      data: {
        requestId: COMMAND,
        action: 'GetConfiguration',
        outcome: 'answered',
        status: 'Accepted',
        payload: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
      },
      text: { en: 'Charger CP-1 answered GetConfiguration: Accepted.' },
    });
    expect(notification?.body.data).not.toHaveProperty('late');
    expect(notification?.naturalKey).toBe(
      `command.result#CP-1#${COMMAND}#answered#${answer.answerReceivedAt}`,
    );
  });

  it('pending → timedOut, then a late answer: one each, the late one marked', () => {
    const timeout = notificationForChange({ oldImage: commandItem(), newImage: commandItem(timedOut) });
    expect(timeout?.body).toMatchObject({
      kind: 'command.result',
      at: timedOut.timedOutAt,
      data: { requestId: COMMAND, action: 'Reset', outcome: 'timeout' },
      text: { en: 'Charger CP-1 did not answer Reset in time.' },
    });
    const late = notificationForChange({
      oldImage: commandItem(timedOut),
      newImage: commandItem({ ...timedOut, ...answer, lateAnswer: true }),
    });
    expect(late?.body.data).toMatchObject({ outcome: 'answered', status: 'Accepted', late: true });
    expect(late?.naturalKey).not.toBe(timeout?.naturalKey);
  });

  it('is silent on the command being written, a failed publish, and a rewrite in the same state', () => {
    expect(kindOf({ newImage: commandItem() })).toBeUndefined();
    expect(
      kindOf({ oldImage: commandItem(), newImage: commandItem({ state: 'failed', failure: 'Error: down' }) }),
    ).toBeUndefined();
    expect(kindOf({ oldImage: commandItem(answer), newImage: commandItem(answer) })).toBeUndefined();
  });

  it('every operator body is valid, in both languages', () => {
    for (const change of [
      { newImage: bootItem() },
      { newImage: orphanItem() },
      { oldImage: commandItem(), newImage: commandItem(answer) },
      { oldImage: commandItem(), newImage: commandItem(timedOut) },
    ]) {
      const body = notificationForChange(change)?.body;
      expect(notificationBodySchema.safeParse(body).success).toBe(true);
      expect(body?.text.ko).toMatch(/CP-1/);
    }
  });

  it('an answered command without its answer breaks the entity contract: bad input naming the field', () => {
    expect(() =>
      notificationForChange({ oldImage: commandItem(), newImage: commandItem({ state: 'answered' }) }),
    ).toThrow(BadInputError);
  });
});

function alertItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pk: 'CHARGER#CP-1',
    sk: 'ALERT#meter-anomaly',
    entityType: 'Alert',
    chargerId: 'CP-1',
    kind: 'meter-anomaly',
    status: 'open',
    connectorId: 1,
    firstSeenAt: '2026-11-25T07:00:00.000Z',
    lastSeenAt: '2026-11-25T07:00:00.000Z',
    detail: 'register went back from 12000 Wh to 11500 Wh',
    episodes: 1,
    ...overrides,
  };
}

describe('alert.opened and alert.cleared (telemetry findings)', () => {
  const cleared = {
    status: 'cleared',
    lastSeenAt: '2026-11-25T07:10:00.000Z',
    clearedAt: '2026-11-25T07:40:00.000Z',
  };

  it('an alert that opens notifies once, with its kind, episode and detail', () => {
    const planned = notificationForChange({ newImage: alertItem() });
    expect(planned?.naturalKey).toBe('alert.opened#CP-1#meter-anomaly#1#2026-11-25T07:00:00.000Z');
    expect(notificationBodySchema.parse(planned?.body)).toMatchObject({
      kind: 'alert.opened',
      audience: 'operator',
      chargerId: 'CP-1',
      connectorId: 1,
      at: '2026-11-25T07:00:00.000Z',
      data: {
        alertKind: 'meter-anomaly',
        episode: 1,
        detail: 'register went back from 12000 Wh to 11500 Wh',
      },
    });
  });

  it('later sightings of an open alert are silent; clearing notifies once; a new episode opens again', () => {
    const later = alertItem({ lastSeenAt: '2026-11-25T07:10:00.000Z' });
    expect(notificationForChange({ oldImage: alertItem(), newImage: later })).toBeUndefined();

    const clearing = notificationForChange({ oldImage: later, newImage: alertItem(cleared) });
    expect(clearing?.body).toMatchObject({ kind: 'alert.cleared', at: '2026-11-25T07:40:00.000Z' });
    expect(
      notificationForChange({ oldImage: alertItem(cleared), newImage: alertItem(cleared) }),
    ).toBeUndefined();

    const reopened = alertItem({
      firstSeenAt: '2026-11-25T08:00:00.000Z',
      lastSeenAt: '2026-11-25T08:00:00.000Z',
      episodes: 2,
    });
    const again = notificationForChange({ oldImage: alertItem(cleared), newImage: reopened });
    expect(again?.body).toMatchObject({ kind: 'alert.opened', data: { episode: 2 } });
    expect(again?.naturalKey).not.toBe(notificationForChange({ newImage: alertItem() })?.naturalKey);
  });

  it("a site's alert (site-load) names its site, is keyed by it, and is said of the site", () => {
    const siteLoad = alertItem({
      pk: 'SITE#SITE-1',
      sk: 'ALERT#site-load',
      kind: 'site-load',
      siteId: 'SITE-1',
      connectorId: undefined,
      detail: '19 kW from 2 connector(s) of 20 kW grid limit (above 90 %)',
    });
    const opened = notificationForChange({ newImage: siteLoad });
    expect(opened?.body).toMatchObject({
      kind: 'alert.opened',
      audience: 'operator',
      chargerId: 'CP-1',
      data: { alertKind: 'site-load', siteId: 'SITE-1', episode: 1 },
      text: {
        en: 'Site SITE-1: site-load found. 19 kW from 2 connector(s) of 20 kW grid limit (above 90 %)',
      },
    });
    expect(opened?.naturalKey).toContain('SITE#SITE-1#site-load#1');
    const cleared = { status: 'cleared', clearedAt: '2026-11-25T07:30:00.000Z' };
    const clearing = notificationForChange({ oldImage: siteLoad, newImage: { ...siteLoad, ...cleared } });
    expect(clearing?.body).toMatchObject({
      kind: 'alert.cleared',
      text: { en: 'Site SITE-1: site-load has cleared.' },
    });
    expect(
      notificationForChange({ oldImage: { ...siteLoad, ...cleared }, newImage: { ...siteLoad, ...cleared } }),
    ).toBeUndefined();
  });

  it('a charger-wide alert (flapping) carries no connectorId; a cleared alert without clearedAt is refused', () => {
    const flapping = alertItem({ kind: 'flapping', sk: 'ALERT#flapping', connectorId: undefined });
    expect(notificationForChange({ newImage: flapping })?.body).not.toHaveProperty('connectorId');
    expect(() =>
      notificationForChange({ oldImage: alertItem(), newImage: alertItem({ status: 'cleared' }) }),
    ).toThrow(BadInputError);
  });
});
