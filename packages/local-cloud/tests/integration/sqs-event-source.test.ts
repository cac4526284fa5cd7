import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../src/index.js';
import { reports, startProbeCloud } from '../helpers/probe-cloud.js';

// The probe's `queue` function consumes probe-local-work (DelaySeconds 1, VisibilityTimeout 1, redrive to
// the DLQ after 3 receives; batchSize 3, maximumBatchingWindow 1, ReportBatchItemFailures), sent to with
// the real @aws-sdk/client-sqs. Schedules run 600× faster here; SQS times must not.

interface Batch {
  at: number;
  items: { id: string; receiveCount: number }[];
}

let cloud: LocalCloud;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  cloud = await startProbeCloud({ timeFactor: 600 });
  sqs = new SQSClient({
    endpoint: cloud.endpoints.aws,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = `${cloud.endpoints.aws}/000000000000/probe-local-work`;
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
});

async function send(mode: string, delaySeconds?: number): Promise<{ id: string; sentAt: number }> {
  const id = randomUUID();
  const sentAt = Date.now();
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ id, mode }),
      ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
    }),
  );
  return { id, sentAt };
}

const deliveriesOf = (id: string) =>
  reports<Batch>(cloud, 'queue-batch').flatMap((batch) =>
    batch.items.filter((item) => item.id === id).map((item) => ({ ...item, at: batch.at, batch })),
  );

const firstDelivery = (id: string) =>
  cloud.waitFor(() => deliveriesOf(id)[0], 10_000) as Promise<ReturnType<typeof deliveriesOf>[number]>;

describe('sqs event source: delays in real time', () => {
  it('holds a message for its own DelaySeconds (not scaled by the time factor)', async () => {
    const { id, sentAt } = await send('ok', 2);
    const delivered = await firstDelivery(id);
    const delayMs = delivered.at - sentAt;
    expect(delayMs).toBeGreaterThanOrEqual(2000);
    // The batching window (1 s) may hold a lone message once it is due.
    expect(delayMs).toBeLessThan(2000 + 1000 + 300);
  });

  it('uses the queue’s DelaySeconds when the message has none, and DelaySeconds 0 overrides it', async () => {
    const queueDefault = await send('ok');
    const immediate = await send('ok', 0);
    const [defaultDelivery, immediateDelivery] = await Promise.all([
      firstDelivery(queueDefault.id),
      firstDelivery(immediate.id),
    ]);
    expect(defaultDelivery.at - queueDefault.sentAt).toBeGreaterThanOrEqual(1000);
    expect(immediateDelivery.at - immediate.sentAt).toBeLessThan(1000 + 300);
  });

  it('refuses a DelaySeconds over 900 as SQS does', async () => {
    await expect(send('ok', 901)).rejects.toThrow(/DelaySeconds/);
  });
});

describe('sqs event source: batches and ReportBatchItemFailures', () => {
  it('delivers messages due together in one batch; only the failed item comes back, after the visibility timeout', async () => {
    const sent = await Promise.all([send('ok', 1), send('fail-once', 1), send('ok', 1)]);
    const [ok1, failing, ok2] = sent.map((message) => message.id) as [string, string, string];
    const first = await firstDelivery(failing);
    expect(first.batch.items.map((item) => item.id).sort()).toEqual([ok1, failing, ok2].sort());

    const retried = await cloud.waitFor(
      () => deliveriesOf(failing).find((d) => d.receiveCount === 2),
      10_000,
    );
    expect(retried.at - first.at).toBeGreaterThanOrEqual(1000); // VisibilityTimeout 1
    expect(retried.batch.items.map((item) => item.id)).toEqual([failing]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deliveriesOf(ok1)).toHaveLength(1);
    expect(deliveriesOf(ok2)).toHaveLength(1);
    expect(deliveriesOf(failing)).toHaveLength(2);
    expect(cloud.queueDepth('probe-local-work')).toBe(0);
  });

  it('a function error returns the whole batch', async () => {
    const sent = await Promise.all([send('crash', 1), send('ok', 1)]);
    const [crash, ok] = sent.map((message) => message.id) as [string, string];
    await cloud.waitFor(() => deliveriesOf(ok).find((d) => d.receiveCount === 2), 10_000);
    expect(deliveriesOf(crash).map((d) => d.receiveCount)).toEqual([1, 2]);
  });
});

describe('sqs event source: redrive', () => {
  it('moves a message received maxReceiveCount (3) times to the redrive target, with its original body', async () => {
    const { id } = await send('fail-always', 0);
    const letter = await cloud.waitFor(
      () => cloud.deadLetters().find((l) => (l.payload as { id?: string }).id === id),
      15_000,
    );
    expect(letter).toMatchObject({
      source: 'sqs-redrive',
      queue: 'probe-local-dead-letters',
      attempts: 3,
      body: JSON.stringify({ id, mode: 'fail-always' }),
    });
    expect(deliveriesOf(id).map((d) => d.receiveCount)).toEqual([1, 2, 3]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deliveriesOf(id)).toHaveLength(3);
    expect(cloud.queueDepth('probe-local-work')).toBe(0);
  });

  it('does not record messages sent to a work queue as dead letters', async () => {
    const { id } = await send('ok', 0);
    await firstDelivery(id);
    expect(cloud.deadLetters().some((l) => (l.payload as { id?: string }).id === id)).toBe(false);
  });
});
