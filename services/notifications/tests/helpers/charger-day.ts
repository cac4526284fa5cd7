import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationKind } from '@evcharge/domain';
import type { TableContext } from '@evcharge/dynamo';
import {
  authAttemptItem,
  chargerItem,
  meterReadingItem,
  meterRequestItem,
  openingItem,
  sessionItem,
} from './factories.js';

export interface ChargerDay {
  sessionId: string;
  /** Every version of every item, in write order: each is one stream record. */
  items: Record<string, unknown>[];
  /** What the day must notify, in order: one per state change, nothing for the other writes. */
  notifiedKinds: NotificationKind[];
}

/**
 * One charger's day as the other services write it: online, a session authorized, charging, an answered
 * and an unavailable meter request, a reading, completion, a rejected and an accepted auth attempt, offline.
 */
export function chargerDay(chargerId: string): ChargerDay {
  const sessionId = randomUUID();
  const answered = randomUUID();
  const unavailable = randomUUID();
  const values = { energyWh: 5_250, powerW: 7_200, costMinor: 1838, currency: 'KRW' };
  const items = [
    chargerItem(chargerId),
    chargerItem(chargerId, { status: 'online', statusChangedAt: '2026-11-25T06:59:00.000Z' }),
    chargerItem(chargerId, {
      status: 'online',
      statusChangedAt: '2026-11-25T06:59:00.000Z',
      lastSeenAt: '2026-11-25T07:04:00.000Z',
    }),
    sessionItem(sessionId, chargerId),
    openingItem(sessionId, chargerId),
    sessionItem(sessionId, chargerId, { status: 'Charging', chargingStartedAt: '2026-11-25T07:00:20.000Z' }),
    meterRequestItem(sessionId, answered, chargerId),
    meterRequestItem(sessionId, answered, chargerId, {
      status: 'answered',
      resolvedAt: '2026-11-25T07:30:02.000Z',
      ...values,
    }),
    meterRequestItem(sessionId, unavailable, chargerId),
    meterRequestItem(sessionId, unavailable, chargerId, {
      status: 'unavailable',
      resolvedAt: '2026-11-25T07:31:00.000Z',
      ...values,
    }),
    sessionItem(sessionId, chargerId, { status: 'Charging', energyWh: 6_000, costMinor: 2100 }),
    meterReadingItem(chargerId, randomUUID()),
    sessionItem(sessionId, chargerId, {
      status: 'Completed',
      chargingStartedAt: '2026-11-25T07:00:20.000Z',
      endedAt: '2026-11-25T08:06:20.000Z',
      durationS: 3960,
      energyWh: 12_300,
      costMinor: 4305,
    }),
    authAttemptItem(chargerId, randomUUID()),
    authAttemptItem(chargerId, randomUUID(), { status: 'Accepted', sessionId: randomUUID() }),
    chargerItem(chargerId, { status: 'offline', statusChangedAt: '2026-11-25T08:20:00.000Z' }),
  ];
  return {
    sessionId,
    items,
    notifiedKinds: [
      'charger.online',
      'session.authorized',
      'meter.reading',
      'meter.unavailable',
      'session.completed',
      'session.rejected',
      'charger.offline',
    ],
  };
}

/** Writes items one by one, in order, so the stream sees each as its own record. */
export async function putItems(table: TableContext, ...items: Record<string, unknown>[]): Promise<void> {
  for (const item of items) {
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
  }
}
