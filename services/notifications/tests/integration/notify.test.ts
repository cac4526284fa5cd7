import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { notificationBodySchema } from '@evcharge/domain';
import { keys } from '@evcharge/dynamo';
import { createLogger } from '@evcharge/middleware';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord } from 'aws-lambda';
import { notifyBatch } from '../../src/notify-batch.js';
import { notificationForChange } from '../../src/rules.js';
import { claimNotification, NOTIFICATION_SCOPE } from '../../src/store.js';
import { chargerDay, putItems } from '../helpers/charger-day.js';
import { chargerItem, lambdaContext, openingItem, sessionItem, streamEvent } from '../helpers/factories.js';
import { type FakeSns, startFakeSns } from '../helpers/fake-sns.js';
import { type FakeSqs, startFakeSqs } from '../helpers/fake-sqs.js';
import { openTableStream, type TableStreamReader } from '../helpers/table-stream.js';

// Real stream records from DynamoDB Local → the real handler → the real SNS client → a fake SNS endpoint.

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-test';

let table: TestTable;
let sns: FakeSns;
let sqs: FakeSqs;
// The SQS client sends to the queue URL's host, so the URL itself must point at the fake.
let queueUrl: string;
let stream: TableStreamReader;
let handler: typeof import('../../src/handlers/notify.js').handler;

beforeAll(async () => {
  table = await createTestTable('notify');
  sns = await startFakeSns();
  sqs = await startFakeSqs();
  process.env.TABLE_NAME = table.tableName;
  process.env.NOTIFICATIONS_TOPIC_ARN = TOPIC_ARN;
  process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  queueUrl = `${sqs.endpoint}/000000000000/notifications-test-dead-letters`;
  process.env.DEAD_LETTER_QUEUE_URL = queueUrl;
  ({ handler } = await import('../../src/handlers/notify.js'));
  stream = await openTableStream(table.tableName);
});

afterAll(async () => {
  stream.close();
  await sns.close();
  await sqs.close();
  await table.drop();
});

beforeEach(async () => {
  // Our own idempotency writes come back on the stream: feed them through too; they must notify nothing.
  const leftovers = await stream.readNew({ atLeast: 0, timeoutMs: 0 });
  const before = sns.published.length;
  if (leftovers.length > 0) await invoke(leftovers);
  expect(sns.published.length).toBe(before);
  sns.failWhen = () => false;
});

async function invoke(records: DynamoDBRecord[]) {
  return handler(streamEvent(records), lambdaContext());
}

const publishedFor = (chargerId: string) =>
  sns.published.filter((sent) => sent.message.chargerId === chargerId);

async function idempotencyRecord(naturalKey: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.idempotency(NOTIFICATION_SCOPE, naturalKey) }),
  );
  return Item;
}

describe('notify: table stream → SNS', () => {
  it('publishes each state change once, with its attributes and body, and nothing for non-transitions', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const day = chargerDay(chargerId);
    await putItems(table, ...day.items);
    const records = await stream.readNew({ atLeast: day.items.length });
    expect(records).toHaveLength(day.items.length);

    await expect(invoke(records)).resolves.toEqual({ batchItemFailures: [] });

    const sent = publishedFor(chargerId);
    expect(sent.map((message) => message.message.kind)).toEqual(day.notifiedKinds);
    for (const { topicArn, message, attributes } of sent) {
      expect(topicArn).toBe(TOPIC_ARN);
      expect(notificationBodySchema.safeParse(message).success).toBe(true);
      const expectedAttributes: Record<string, unknown> = {
        kind: { dataType: 'String', stringValue: message.kind },
        audience: { dataType: 'String', stringValue: message.audience },
        chargerId: { dataType: 'String', stringValue: chargerId },
      };
      if (message.audience === 'user') {
        expectedAttributes.userId = { dataType: 'String', stringValue: message.userId };
      }
      expect(attributes).toEqual(expectedAttributes);
    }
    expect(sent[4]?.message).toEqual({
      version: 1,
      kind: 'session.completed',
      at: '2026-11-25T08:06:20.000Z',
      audience: 'user',
      userId: 'user-1',
      chargerId,
      connectorId: 1,
      sessionId: day.sessionId,
      data: { energyWh: 12_300, durationS: 3960, costMinor: 4305, currency: 'KRW' },
      text: {
        ko: `충전기 ${chargerId} 1번 커넥터 충전 완료: 12.3 kWh, 1:06, ₩4,305.`,
        en: `Charging complete at charger ${chargerId}, connector 1: 12.3 kWh in 1:06, ₩4,305.`,
      },
    });
    expect(sent[5]?.attributes.userId?.stringValue).toBe('user-2');
    expect(sent[0]?.attributes).not.toHaveProperty('userId');

    // The same batch again, as a retry or replay would deliver it: nothing more is published.
    await expect(invoke(records)).resolves.toEqual({ batchItemFailures: [] });
    expect(publishedFor(chargerId)).toHaveLength(7);
  });

  it('reports a failed publish in batchItemFailures, holds back that item’s later changes, and the retry sends each once', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const sessionId = randomUUID();
    await putItems(
      table,
      chargerItem(chargerId),
      sessionItem(sessionId, chargerId),
      // The session's user-list entry (same partition as the session) announces the opening.
      openingItem(sessionId, chargerId),
      chargerItem(chargerId, { status: 'online', statusChangedAt: '2026-11-25T07:00:05.000Z' }),
      sessionItem(sessionId, chargerId, {
        status: 'Completed',
        endedAt: '2026-11-25T07:01:00.000Z',
        durationS: 60,
      }),
    );
    const records = await stream.readNew({ atLeast: 5 });
    const sequenceOf = (index: number) => records[index]?.dynamodb?.SequenceNumber;
    sns.failWhen = (message) => message.sessionId === sessionId && message.kind === 'session.authorized';

    const firstTry = await invoke(records);

    expect(firstTry.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(2) },
      { itemIdentifier: sequenceOf(4) },
    ]);
    expect(publishedFor(chargerId).map((sent) => sent.message.kind)).toEqual(['charger.online']);
    const authorizedKey = `session.authorized#${sessionId}#2026-11-25T07:00:00.000Z`;
    // The failed publish released its claim at once, so the retry need not wait for a lease.
    expect(await idempotencyRecord(authorizedKey)).toMatchObject({ state: 'claimed', claimedUntil: 0 });

    sns.failWhen = () => false;
    // Lambda retries from the lowest failed sequence number: the succeeded record after it comes again too.
    await expect(invoke(records.slice(2))).resolves.toEqual({ batchItemFailures: [] });
    expect(publishedFor(chargerId).map((sent) => sent.message.kind)).toEqual([
      'charger.online',
      'session.authorized',
      'session.completed',
    ]);
    expect(await idempotencyRecord(authorizedKey)).toMatchObject({ state: 'sent', attempts: 2 });

    await expect(invoke(records)).resolves.toEqual({ batchItemFailures: [] });
    expect(publishedFor(chargerId)).toHaveLength(3);
  });

  it('waits out a claim left by a timed-out invocation, and fails a record whose claim is live', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const expiring = openingItem(randomUUID(), chargerId);
    const live = openingItem(randomUUID(), chargerId, { connectorId: 2 });
    for (const [item, leaseMs] of [
      [expiring, 300],
      [live, 60_000],
    ] as const) {
      const planned = notificationForChange({ newImage: item });
      await claimNotification(table, {
        naturalKey: planned?.naturalKey ?? '',
        kind: 'session.authorized',
        claimToken: randomUUID(),
        nowMs: Date.now(),
        leaseUntilMs: Date.now() + leaseMs,
        expiresAtEpochS: Math.floor(Date.now() / 1000) + 3600,
      });
    }
    await putItems(table, expiring, live);
    const records = (await stream.readNew({ atLeast: 4 })).filter(
      (record) => record.dynamodb?.NewImage?.entityType?.S === 'UserSession',
    );
    expect(records).toHaveLength(2);

    const result = await invoke(records);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
    expect(publishedFor(chargerId).map((sent) => sent.message.sessionId)).toEqual([expiring.sessionId]);
  });

  it('waits again when its timer fires before the clock has passed the lease (regression: failed under load)', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const opening = openingItem(randomUUID(), chargerId);
    const planned = notificationForChange({ newImage: opening });
    const leaseUntilMs = Date.now() + 200;
    await claimNotification(table, {
      naturalKey: planned?.naturalKey ?? '',
      kind: 'session.authorized',
      claimToken: randomUUID(),
      nowMs: Date.now(),
      leaseUntilMs,
      expiresAtEpochS: Math.floor(Date.now() / 1000) + 3600,
    });
    await putItems(table, opening);
    const records = (await stream.readNew({ atLeast: 2 })).filter(
      (record) => record.dynamodb?.NewImage?.entityType?.S === 'UserSession',
    );
    // The first reading after the lease has passed still says it has not (a loop time lagging the clock).
    let lagged = false;
    const now = () => {
      const real = Date.now();
      if (lagged || real <= leaseUntilMs) return real;
      lagged = true;
      return leaseUntilMs - 5;
    };
    const published: unknown[] = [];
    const result = await notifyBatch(records, {
      table,
      publish: async (body) => {
        published.push(body);
        return randomUUID();
      },
      logger: createLogger('notify-test'),
      functionName: 'notifications-test-notify',
      now,
      remainingMs: () => 60_000,
    });

    expect(lagged).toBe(true);
    expect(result.batchItemFailures).toEqual([]);
    expect(published).toEqual([expect.objectContaining({ kind: 'session.authorized', chargerId })]);
  });

  it('dead-letters a record that breaks the item contract once, without failing the batch', async () => {
    const chargerId = `CP-${randomUUID().slice(0, 8)}`;
    const broken = {
      ...openingItem(randomUUID(), chargerId),
      ...keys.userSession('broken'),
      sessionId: 'not-a-uuid',
    };
    await putItems(
      table,
      broken,
      chargerItem(chargerId),
      chargerItem(chargerId, { status: 'online', statusChangedAt: '2026-11-25T07:00:00.000Z' }),
    );
    const records = await stream.readNew({ atLeast: 3 });
    const deadLettersBefore = sqs.sent.length;

    await expect(invoke(records)).resolves.toEqual({ batchItemFailures: [] });

    expect(publishedFor(chargerId).map((sent) => sent.message.kind)).toEqual(['charger.online']);
    expect(sqs.sent.slice(deadLettersBefore)).toEqual([
      {
        queueUrl,
        body: expect.objectContaining({
          functionName: 'notifications-local-notify',
          errorClass: 'bad-input',
          field: 'sessionId',
          payload: records[0],
        }),
      },
    ]);
  });
});
