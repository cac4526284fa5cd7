import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { notificationBodySchema } from '@evcharge/domain';
// The local cloud is not a dependency of this service; it is the harness, reached through its source.
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  authAttemptItem,
  chargerItem,
  lambdaContext,
  meterRequestItem,
  sessionItem,
  streamEvent,
} from '../helpers/factories.js';
import { openTableStream } from '../helpers/table-stream.js';

// Through the local cloud: table writes → its stream poller → the notify function → its SNS endpoint.

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({
    services: ['notifications'],
    ports: { mqtt: 0, aws: 0, http: 0 },
    dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    tableName: `notify-e2e-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
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

async function put(...items: Record<string, unknown>[]) {
  for (const item of items) {
    await cloud.table.client.send(new PutCommand({ TableName: cloud.table.tableName, Item: item }));
  }
}

describe('notifications through the local cloud', () => {
  it('publishes exactly one notification per state change to /_local/notifications', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const sessionId = randomUUID();
    const requestId = randomUUID();
    await put(
      chargerItem(chargerId),
      chargerItem(chargerId, { status: 'online', statusChangedAt: '2026-11-25T06:59:00.000Z' }),
      chargerItem(chargerId, {
        status: 'online',
        statusChangedAt: '2026-11-25T06:59:00.000Z',
        lastSeenAt: '2026-11-25T07:04:00.000Z',
      }),
      sessionItem(sessionId, chargerId),
      sessionItem(sessionId, chargerId, {
        status: 'Charging',
        chargingStartedAt: '2026-11-25T07:00:20.000Z',
      }),
      meterRequestItem(sessionId, requestId, chargerId),
      meterRequestItem(sessionId, requestId, chargerId, {
        status: 'answered',
        resolvedAt: '2026-11-25T07:30:02.000Z',
        energyWh: 5_250,
        powerW: 7_200,
        costMinor: 1838,
        currency: 'KRW',
      }),
      sessionItem(sessionId, chargerId, { status: 'Charging', energyWh: 6_000, costMinor: 2100 }),
      sessionItem(sessionId, chargerId, {
        status: 'Completed',
        endedAt: '2026-11-25T08:06:20.000Z',
        durationS: 3960,
        energyWh: 12_300,
        costMinor: 4305,
      }),
      authAttemptItem(chargerId, randomUUID()),
      chargerItem(chargerId, { status: 'offline', statusChangedAt: '2026-11-25T08:20:00.000Z' }),
    );

    const expectedKinds = [
      'charger.online',
      'session.authorized',
      'meter.reading',
      'session.completed',
      'session.rejected',
      'charger.offline',
    ];
    await cloud.waitFor(async () => (await listed(chargerId)).length >= expectedKinds.length, 20_000);
    // Our own sent-notification records come back on the stream too: give them time to (not) notify.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const notifications = await listed(chargerId);
    const bodies = notifications.map((notification) =>
      notificationBodySchema.parse(JSON.parse(notification.message)),
    );
    expect(bodies.map((body) => body.kind)).toEqual(expectedKinds);
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
    Object.assign(process.env, notify?.environment, cloud.env, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
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
});
