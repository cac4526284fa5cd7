import { randomUUID } from 'node:crypto';
import { notificationBodySchema } from '@evcharge/domain';
import type { LocalCloud } from '@evcharge/local-cloud';
import { startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chargerDay, putItems } from '../helpers/charger-day.js';
import { chargerItem, lambdaContext, streamEvent } from '../helpers/factories.js';
import { openTableStream } from '../helpers/table-stream.js';

// Through the local cloud: table writes → its stream poller → the notify function → its SNS endpoint.

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startServiceCloud({ services: ['notifications'] });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

interface ListedNotification {
  message: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
}

async function listed(chargerId: string): Promise<ListedNotification[]> {
  const response = await fetch(`${cloud.endpoints.aws}/_local/notifications`);
  const all = (await response.json()) as ListedNotification[];
  return all.filter((notification) => notification.attributes.chargerId?.StringValue === chargerId).reverse();
}

describe('notifications through the local cloud', () => {
  it('publishes exactly one notification per state change to /_local/notifications', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const day = chargerDay(chargerId);
    await putItems(cloud.table, ...day.items);

    await cloud.waitFor(async () => (await listed(chargerId)).length >= day.notifiedKinds.length, 20_000);
    // Our own sent-notification records come back on the stream too: give them time to (not) notify.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const notifications = await listed(chargerId);
    const bodies = notifications.map((notification) =>
      notificationBodySchema.parse(JSON.parse(notification.message)),
    );
    expect(bodies.map((body) => body.kind)).toEqual(day.notifiedKinds);
    for (const [index, notification] of notifications.entries()) {
      expect(notification.attributes.kind?.StringValue).toBe(bodies[index]?.kind);
      expect(notification.attributes.audience?.StringValue).toBe(bodies[index]?.audience);
    }
    expect(cloud.deadLetters()).toEqual([]);
  }, 60_000);

  it('publishes nothing more when the whole stream is replayed through the function', async () => {
    const before = cloud.stats().notifications;
    expect(before).toBeGreaterThan(0);
    const notify = cloud.functions.find((fn) => fn.functionName.endsWith('-notify'));
    // The same function and configuration, invoked with every record since the stream began (TRIM_HORIZON).
    Object.assign(process.env, notify?.environment, cloud.env);
    const { handler } = await import('../../src/handlers/notify.js');
    const stream = await openTableStream(cloud.table.tableName);
    const records = await stream.readNew();
    stream.close();
    expect(records.length).toBeGreaterThan(10);

    for (let start = 0; start < records.length; start += 25) {
      const result = await handler(streamEvent(records.slice(start, start + 25)), lambdaContext());
      expect(result.batchItemFailures).toEqual([]);
    }

    expect(cloud.stats().notifications).toBe(before);
  }, 60_000);

  it('is not even invoked for heartbeats: the stream filter holds them back, a status flip gets through', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const online = { status: 'online', statusChangedAt: '2026-11-25T06:59:00.000Z' };
    await putItems(cloud.table, chargerItem(chargerId), chargerItem(chargerId, online));
    await cloud.waitFor(async () => (await listed(chargerId)).length === 1, 20_000);
    const filteredOut = cloud.stats().streamRecordsFilteredOut;

    const heartbeats = Array.from({ length: 20 }, (_, index) =>
      chargerItem(chargerId, {
        ...online,
        lastSeenAt: new Date(Date.UTC(2026, 10, 25, 7, index)).toISOString(),
      }),
    );
    await putItems(cloud.table, ...heartbeats);
    await putItems(
      cloud.table,
      chargerItem(chargerId, { status: 'offline', statusChangedAt: '2026-11-25T08:00:00.000Z' }),
    );
    await cloud.waitFor(async () => (await listed(chargerId)).length === 2, 20_000);

    // Of the 21 writes only the flip reached the function: the 20 heartbeats were held back by its filters.
    expect(cloud.stats().streamRecordsFilteredOut - filteredOut).toBeGreaterThanOrEqual(20);
    expect((await listed(chargerId)).map((n) => JSON.parse(n.message).kind)).toEqual([
      'charger.online',
      'charger.offline',
    ]);
  }, 60_000);
});
