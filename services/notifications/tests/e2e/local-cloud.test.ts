import { randomUUID } from 'node:crypto';
import { notificationBodySchema } from '@evcharge/domain';
// The local cloud is not a dependency of this service; it is the harness, reached through its source.
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chargerDay, putItems } from '../helpers/charger-day.js';
import { lambdaContext, streamEvent } from '../helpers/factories.js';
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
});
