import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chargerLivenessUpdate, keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { presenceEffect } from '../../src/rules.js';
import { applyPresence } from '../../src/store.js';

// The heartbeat store where it meets the other services: chargerLivenessUpdate (any message) moves
// lastSeenAt and the deadline but does not flip status; a lifecycle event then decides from the old item.

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('heartbeat-store');
});
afterAll(async () => table.drop());

let serial = 0;
/** A registered (offline) charger whose last message, received at seenAtMs, was processed at once. */
async function offlineChargerSeenAt(seenAtMs: number): Promise<string> {
  const chargerId = `LV-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date(seenAtMs - 86_400_000) });
  await refreshLiveness(chargerId, seenAtMs, seenAtMs);
  return chargerId;
}

async function refreshLiveness(chargerId: string, receivedAtMs: number, processedAtMs: number) {
  await table.client.send(
    new TransactWriteCommand({
      TransactItems: [chargerLivenessUpdate(table.tableName, chargerId, receivedAtMs, processedAtMs)],
    }),
  );
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

describe('applyPresence after other services refreshed liveness', () => {
  it('a connect older than the last message flips online without moving the deadline back', async () => {
    const now = Date.now();
    const chargerId = await offlineChargerSeenAt(now - 1_000);
    expect(await chargerItem(chargerId)).toMatchObject({ status: 'offline', dueAt: now - 1_000 + 660_000 });

    const event = connected(chargerId, now - 5_000);
    const result = await applyPresence(table, chargerId, event, presenceEffect(event), now);

    expect(result).toEqual({ outcome: 'applied', plan: 'online', statusChanged: true });
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: new Date(now - 5_000).toISOString(),
      lastSeenAt: new Date(now - 1_000).toISOString(),
      dueAt: now - 1_000 + 660_000,
      presenceVersion: 1,
    });
  });

  it('a connect older than a message whose deadline has passed only records the event', async () => {
    const now = Date.now();
    const chargerId = await offlineChargerSeenAt(now - 700_000);

    const event = connected(chargerId, now - 701_000);
    const result = await applyPresence(table, chargerId, event, presenceEffect(event), now);

    expect(result).toEqual({ outcome: 'applied', plan: 'record', statusChanged: false });
    const item = await chargerItem(chargerId);
    expect(item).toMatchObject({ status: 'offline', presenceVersion: 1, connected: true });
    expect(item.duePk).toBeUndefined();
  });

  it('a message processed over 30 s after receipt (a retry) never moves lastSeenAt back', async () => {
    const now = Date.now();
    const chargerId = await offlineChargerSeenAt(now - 5_000);

    await refreshLiveness(chargerId, now - 40_000, now);

    expect(await chargerItem(chargerId)).toMatchObject({
      lastSeenAt: new Date(now - 5_000).toISOString(),
      dueAt: now - 5_000 + 660_000,
    });
    // It still refuses an unknown charger, as the fresh refresh does.
    await expect(refreshLiveness('NOBODY', now - 40_000, now)).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
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
