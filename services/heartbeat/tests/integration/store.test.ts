import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { presenceEffect } from '../../src/rules.js';
import { applyPresence } from '../../src/store.js';

// The heartbeat store where a lifecycle event meets a charger a later heartbeat already touched (the two
// race through different rules): the event decides from the old item and never moves lastSeenAt back.

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('heartbeat-store');
});
afterAll(async () => table.drop());

let serial = 0;
/** A registered charger, offline, whose last heartbeat was received at seenAtMs with its deadline at dueAt. */
async function offlineChargerSeenAt(seenAtMs: number, dueAt: number): Promise<string> {
  const chargerId = `LV-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date(seenAtMs - 86_400_000) });
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.charger(chargerId),
      UpdateExpression: 'SET lastSeenAt = :seenAt, dueAt = :dueAt',
      ExpressionAttributeValues: { ':seenAt': new Date(seenAtMs).toISOString(), ':dueAt': dueAt },
    }),
  );
  return chargerId;
}

async function chargerItem(chargerId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item ?? {};
}

const connected = (clientId: string, timestamp: number) => ({
  eventType: 'connected' as const,
  clientId,
  timestamp,
  versionNumber: 1,
  sessionIdentifier: 's',
  principalIdentifier: 'p',
});

describe('applyPresence after a later heartbeat', () => {
  it('a connect older than the last heartbeat flips online without moving the deadline back', async () => {
    const now = Date.now();
    const chargerId = await offlineChargerSeenAt(now - 1_000, now + 600_000);

    const event = connected(chargerId, now - 5_000);
    const result = await applyPresence(table, chargerId, event, presenceEffect(event), now);

    expect(result).toEqual({ outcome: 'applied', plan: 'online', statusChanged: true });
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: new Date(now - 5_000).toISOString(),
      lastSeenAt: new Date(now - 1_000).toISOString(),
      dueAt: now + 600_000,
      presenceVersion: 1,
    });
  });

  it('a connect older than a heartbeat whose deadline has passed only records the event', async () => {
    const now = Date.now();
    const chargerId = await offlineChargerSeenAt(now - 700_000, now - 40_000);

    const event = connected(chargerId, now - 701_000);
    const result = await applyPresence(table, chargerId, event, presenceEffect(event), now);

    expect(result).toEqual({ outcome: 'applied', plan: 'record', statusChanged: false });
    const item = await chargerItem(chargerId);
    expect(item).toMatchObject({ status: 'offline', presenceVersion: 1, connected: true });
    expect(item.duePk).toBeUndefined();
  });

  it('a connect for an unregistered client is bad input', async () => {
    const event = connected('NOBODY', Date.now());
    await expect(
      applyPresence(table, 'NOBODY', event, presenceEffect(event), Date.now()),
    ).rejects.toMatchObject({
      name: 'BadInputError',
      field: 'chargerId',
    });
  });
});
