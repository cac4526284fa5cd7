// @lane isolated: starts the local cloud with this service (workers, broker, Firehose, S3) and DuckDB.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { deviceTopic } from '@evcharge/domain';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { archivePrefix } from '../../src/analytics/archive-layout.js';
import { openLocalArchive, runNamedQuery } from '../../src/analytics/engine.js';
import { archiveBucketName, localBucketDir } from '../../src/analytics/local-archive-dir.js';

// The archive path as the local cloud runs it from serverless.yml: device messages over MQTT → the archive rules →
// Firehose (JQ partitions, GZIP) → the local S3, read back through the AWS SDK and by `npm run analytics`.

const bucket = archiveBucketName();
const chargers = ['CP-ARCH-1', 'CP-ARCH-2'];
let cloud: LocalCloud;
let dataDir: string;
const clients: Awaited<ReturnType<typeof registerAndConnect>>['charger'][] = [];

const reading = (registerWh: number) => ({
  messageId: randomUUID(),
  connectorId: 1,
  at: new Date().toISOString(),
  energy: { value: registerWh, unit: 'Wh' },
  powerW: 7000,
  context: 'Sample.Periodic',
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'telemetry-archive-'));
  cloud = await startServiceCloud({
    // Heartbeats and readings are archived by the heartbeat and metering rules (the rules Basic Ingest reaches).
    services: ['heartbeat', 'metering', 'telemetry'],
    dataDir,
    ...(process.env.AWS_ENDPOINT_URL_DYNAMODB
      ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
      : {}),
  });
  for (const chargerId of chargers) clients.push((await registerAndConnect(cloud, chargerId)).charger);
}, 90_000);

afterAll(async () => {
  for (const client of clients) await client.endAsync();
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The first charger publishes through the broker, the second through IoT Basic Ingest (as the gateway does). */
const route = (index: number) => (index === 0 ? {} : { basicIngestStage: cloud.stage });

async function publishAll(registers: number[]): Promise<string[]> {
  const messageIds: string[] = [];
  for (const [index, chargerId] of chargers.entries()) {
    for (const registerWh of registers) {
      const payload = reading(registerWh + index * 10_000);
      messageIds.push(payload.messageId);
      await clients[index]?.publishAsync(
        deviceTopic('meter', chargerId, route(index)),
        JSON.stringify(payload),
        {
          qos: 1,
        },
      );
    }
    const heartbeat = { at: new Date().toISOString() };
    await clients[index]?.publishAsync(
      deviceTopic('heartbeat', chargerId, route(index)),
      JSON.stringify(heartbeat),
      {
        qos: 1,
      },
    );
  }
  return messageIds;
}

async function readArchive(s3: S3Client): Promise<{ key: string; records: Record<string, unknown>[] }[]> {
  const objects: { key: string; records: Record<string, unknown>[] }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/', MaxKeys: 5, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const text = gunzipSync(
        await (object.Body as { transformToByteArray: () => Promise<Uint8Array> }).transformToByteArray(),
      ).toString();
      objects.push({
        key: Key as string,
        records: text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

describe('the local cloud archives every device message (IoT rules → Firehose → S3)', () => {
  it('archives each accepted message once, under the keys archivePrefix() gives, readable through the S3 API', async () => {
    const messageIds = await publishAll([1_000, 1_500, 2_250]);
    await cloud.waitFor(() => cloud.stats().messagesByTopic['chargers/+/heartbeat'] === chargers.length);
    await cloud.flushDeliveryStreams();

    const s3 = new S3Client({
      endpoint: cloud.env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const objects = await readArchive(s3);
    const records = objects.flatMap((object) => object.records);
    const archivedIds = records.flatMap((record) => (record.messageId ? [record.messageId] : []));
    expect(archivedIds.sort()).toEqual([...messageIds].sort());
    // One heartbeat each, the Basic Ingest one too; every record under the topic its rule saw (no prefix).
    expect(
      records
        .filter((record) => String(record.topic).endsWith('/heartbeat'))
        .map((record) => record.chargerId)
        .sort(),
    ).toEqual(chargers);
    expect(records.filter((record) => String(record.topic).startsWith('$aws/rules'))).toEqual([]);
    // The lifecycle events are archived too, one connected event per charger.
    expect(
      records
        .filter((record) => record.eventType === 'connected')
        .map((record) => record.chargerId)
        .sort(),
    ).toEqual(chargers);
    for (const { key, records: inObject } of objects) {
      for (const record of inObject)
        expect(key.startsWith(archivePrefix(record as { topic: string; receivedAt: number }))).toBe(true);
      expect(key).toMatch(/\/ev-charging-local-telemetry-archive-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.gz$/);
    }
    expect(cloud.deadLetters()).toEqual([]);
    s3.destroy();
  }, 30_000);

  it('npm run analytics answers energy-per-charger-day from what the local cloud archived', async () => {
    const archive = await openLocalArchive(localBucketDir(dataDir));
    try {
      const rows = await runNamedQuery(archive, 'energy-per-charger-day', {
        from: '1970-01-01',
        to: '2999-12-31',
      });
      const today = new Date().toISOString().slice(0, 10);
      expect(rows).toEqual(chargers.map((chargerId) => ({ chargerId, day: today, energy_wh: 1_250 })));
    } finally {
      archive.close();
    }
  }, 30_000);

  it('delivers what is still buffered when the cloud stops', async () => {
    const filesIn = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.gz'))
        .map((entry) => join(entry.parentPath, entry.name));
    const before = new Set(filesIn(localBucketDir(dataDir)));
    const messageIds = await publishAll([3_000]);
    await cloud.waitFor(() => cloud.stats().messagesByTopic['chargers/+/heartbeat'] === 2 * chargers.length);
    for (const client of clients.splice(0)) await client.endAsync();
    await cloud.stop();
    const delivered = filesIn(localBucketDir(dataDir))
      .filter((file) => !before.has(file))
      .flatMap((file) => gunzipSync(readFileSync(file)).toString().trim().split('\n'))
      .map((line) => JSON.parse(line) as { messageId?: string });
    expect(delivered.flatMap((record) => (record.messageId ? [record.messageId] : [])).sort()).toEqual(
      [...messageIds].sort(),
    );
  }, 30_000);
});
