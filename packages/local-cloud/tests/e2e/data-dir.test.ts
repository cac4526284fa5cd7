import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { addIdTag, getCharger, getSession } from '@evcharge/dynamo';
import { connectCharger, registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../src/index.js';

// `--data-dir`: a registered charger, a completed session, its notifications and a dead letter survive a
// restart, and no stream record is delivered twice after it.
let dataDir: string;
const chargerId = `CP-KEEP-${randomUUID().slice(0, 6)}`;
const tableName = `keep-${randomUUID().slice(0, 8)}`;

function start(): Promise<LocalCloud> {
  return startServiceCloud({
    services: ['charge-authorization', 'plug-events', 'notifications'],
    dataDir,
    tableName,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-cloud-data-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** How many stream records follow `sequenceNumber` in the table's stream shard. */
async function recordsAfter(cloud: LocalCloud, shardId?: string, sequenceNumber?: string): Promise<number> {
  if (!shardId || !sequenceNumber) throw new Error('no stream checkpoint was kept');
  const streams = new DynamoDBStreamsClient({
    endpoint: cloud.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const [stream] = (await streams.send(new ListStreamsCommand({ TableName: tableName }))).Streams ?? [];
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: stream?.StreamArn,
        ShardId: shardId,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: sequenceNumber,
      }),
    );
    return ((await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []).length;
  } finally {
    streams.destroy();
  }
}

describe('npm start -- --data-dir DIR', () => {
  it('keeps chargers, sessions, notifications and dead letters across a restart, delivering nothing twice', async () => {
    const first = await start();
    let sessionId: string;
    let password: string;
    try {
      await addIdTag(first.table, { idTag: 'KEEP-TAG', userId: 'user-keep' });
      const registered = await registerAndConnect(first, chargerId);
      password = registered.password;
      const { charger } = registered;
      const at = () => new Date().toISOString();
      await charger.publishAsync(
        `chargers/${chargerId}/auth/request`,
        JSON.stringify({ requestId: randomUUID(), connectorId: 1, idTag: 'KEEP-TAG', at: at() }),
        { qos: 1 },
      );
      const authorized = await first.waitFor(
        () => first.notifications().find((n) => n.message.includes('session.authorized')),
        20_000,
      );
      sessionId = (JSON.parse(authorized.message) as { sessionId: string }).sessionId;
      for (const event of ['plugged', 'unplugged']) {
        await charger.publishAsync(
          `chargers/${chargerId}/plug`,
          JSON.stringify({ messageId: randomUUID(), connectorId: 1, event, at: at() }),
          { qos: 1 },
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Bad input: dead-lettered once.
      await charger.publishAsync(`chargers/${chargerId}/plug`, JSON.stringify({ messageId: 'nope' }), {
        qos: 1,
      });
      await first.waitFor(
        () => first.notifications().find((n) => n.message.includes('session.completed')),
        20_000,
      );
      await first.waitFor(() => first.deadLetters()[0], 20_000);
      await charger.endAsync();
    } finally {
      await first.stop();
    }
    const checkpoints = JSON.parse(
      await readFile(join(dataDir, 'stream-checkpoints.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    const [[shardId, checkpoint] = []] = Object.values(checkpoints).flatMap((shards) =>
      Object.entries(shards),
    );
    const notificationsBefore = first.notifications().length;
    const deadLettersBefore = first.deadLetters().length;

    const second = await start();
    try {
      expect(await getCharger(second.table, chargerId)).toMatchObject({ chargerId, connectorCount: 1 });
      expect(await getSession(second.table, sessionId)).toMatchObject({
        status: 'Completed',
        userId: 'user-keep',
      });
      expect(second.notifications()).toHaveLength(notificationsBefore);
      expect(second.deadLetters()).toHaveLength(deadLettersBefore);
      // The charger's credential was kept: it connects to the restarted cloud with the same password.
      const again = await connectCharger(second, chargerId, password);
      await again.endAsync();
      // The stream resumes right after the last batch delivered before the stop: the records read again are
      // exactly those that were not delivered then, and nothing is notified twice.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(second.notifications()).toHaveLength(notificationsBefore);
      expect(second.stats().streamRecords).toBe(await recordsAfter(second, shardId, checkpoint));
    } finally {
      await second.stop();
    }
  }, 120_000);
});
