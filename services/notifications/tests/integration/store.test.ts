import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  claimNotification,
  markNotificationSent,
  NOTIFICATION_SCOPE,
  releaseNotificationClaim,
} from '../../src/store.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('notifications-store');
});
afterAll(async () => {
  await table.drop();
});

const nowMs = Date.parse('2026-11-25T07:00:00.000Z');

function claimInput(
  naturalKey: string,
  overrides: { claimToken?: string; nowMs?: number; leaseUntilMs?: number } = {},
) {
  const at = overrides.nowMs ?? nowMs;
  return {
    naturalKey,
    kind: 'session.completed' as const,
    claimToken: overrides.claimToken ?? randomUUID(),
    nowMs: at,
    leaseUntilMs: overrides.leaseUntilMs ?? at + 12_000,
    expiresAtEpochS: Math.floor(at / 1000) + 7 * 86_400,
  };
}

async function recordOf(naturalKey: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.idempotency(NOTIFICATION_SCOPE, naturalKey) }),
  );
  return Item;
}

describe('notification idempotency records', () => {
  it('claims a new key once, then reports it held by the live claim', async () => {
    const naturalKey = `session.completed#${randomUUID()}#2026-11-25T07:00:00.000Z`;
    const first = claimInput(naturalKey);
    await expect(claimNotification(table, first)).resolves.toEqual({ outcome: 'claimed' });
    await expect(claimNotification(table, claimInput(naturalKey))).resolves.toEqual({
      outcome: 'held',
      claimedUntilMs: first.leaseUntilMs,
    });
    expect(await recordOf(naturalKey)).toMatchObject({
      entityType: 'Idempotency',
      state: 'claimed',
      claimToken: first.claimToken,
      kind: 'session.completed',
      attempts: 1,
      expiresAtEpochS: first.expiresAtEpochS,
    });
  });

  it('never claims a sent notification again, and reports its message id', async () => {
    const naturalKey = `session.completed#${randomUUID()}#2026-11-25T07:00:00.000Z`;
    const claim = claimInput(naturalKey);
    await claimNotification(table, claim);
    await expect(
      markNotificationSent(table, {
        naturalKey,
        claimToken: claim.claimToken,
        messageId: 'm-1',
        sentAt: 'x',
      }),
    ).resolves.toBe(true);
    // Even long after any lease, a sent record stays sent.
    const later = claimInput(naturalKey, { nowMs: nowMs + 3_600_000 });
    await expect(claimNotification(table, later)).resolves.toEqual({ outcome: 'sent', messageId: 'm-1' });
    expect(await recordOf(naturalKey)).toMatchObject({ state: 'sent', messageId: 'm-1' });
  });

  it('lets a released claim be taken at once, and an expired lease be taken over', async () => {
    const naturalKey = `charger.offline#${randomUUID()}#2026-11-25T07:00:00.000Z`;
    const first = claimInput(naturalKey);
    await claimNotification(table, first);
    await expect(releaseNotificationClaim(table, { naturalKey, claimToken: first.claimToken })).resolves.toBe(
      true,
    );
    const second = claimInput(naturalKey);
    await expect(claimNotification(table, second)).resolves.toEqual({ outcome: 'claimed' });
    // Lease of the second claim runs out: a third attempt after it takes over.
    const third = claimInput(naturalKey, { nowMs: second.leaseUntilMs + 1 });
    await expect(claimNotification(table, third)).resolves.toEqual({ outcome: 'claimed' });
    expect(await recordOf(naturalKey)).toMatchObject({ claimToken: third.claimToken, attempts: 3 });
    // The superseded holder can neither mark it sent nor release it.
    await expect(
      markNotificationSent(table, {
        naturalKey,
        claimToken: second.claimToken,
        messageId: 'late',
        sentAt: 'x',
      }),
    ).resolves.toBe(false);
    await expect(
      releaseNotificationClaim(table, { naturalKey, claimToken: second.claimToken }),
    ).resolves.toBe(false);
    expect(await recordOf(naturalKey)).toMatchObject({ state: 'claimed', claimToken: third.claimToken });
  });
});
