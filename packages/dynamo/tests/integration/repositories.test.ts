import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '@evcharge/domain';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addIdTag,
  blockIdTag,
  commissionCharger,
  getCharger,
  getIdTag,
  keys,
  listConnectors,
  listIdTags,
  registerCharger,
} from '../../src/index.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('repositories');
});
afterAll(async () => table.drop());

describe('chargers', () => {
  it('registers a charger with its connectors, offline until it speaks', async () => {
    const now = new Date('2026-11-25T06:00:00.000Z');
    const charger = await registerCharger(table, { chargerId: 'CP-1', connectorCount: 2, now });
    expect(charger).toMatchObject({
      chargerId: 'CP-1',
      status: 'offline',
      heartbeatIntervalS: 300,
      // max(2 × 300 + 60 s, the 3,600 s backstop)
      livenessWindowMs: 3_600_000,
    });
    const connectors = await listConnectors(table, 'CP-1');
    expect(connectors.map((connector) => [connector.connectorId, connector.status])).toEqual([
      [1, 'Available'],
      [2, 'Available'],
    ]);
  });

  it('re-registering keeps the first registration time and adds new connectors only', async () => {
    await registerCharger(table, {
      chargerId: 'CP-2',
      connectorCount: 1,
      now: new Date('2026-01-01T00:00:00.000Z'),
    });
    await registerCharger(table, {
      chargerId: 'CP-2',
      connectorCount: 3,
      now: new Date('2026-02-01T00:00:00.000Z'),
    });
    expect((await getCharger(table, 'CP-2'))?.registeredAt).toBe('2026-01-01T00:00:00.000Z');
    expect(await listConnectors(table, 'CP-2')).toHaveLength(3);
  });
});

describe('charger registration status', () => {
  const now = new Date('2026-11-25T06:00:00.000Z');

  it('registers Accepted by default and Pending when asked', async () => {
    expect(
      (await registerCharger(table, { chargerId: 'CP-REG-1', connectorCount: 1, now })).registrationStatus,
    ).toBe('Accepted');
    expect(
      (await registerCharger(table, { chargerId: 'CP-REG-2', connectorCount: 1, pending: true, now }))
        .registrationStatus,
    ).toBe('Pending');
    expect((await getCharger(table, 'CP-REG-1'))?.registrationStatus).toBe('Accepted');
    expect((await getCharger(table, 'CP-REG-2'))?.registrationStatus).toBe('Pending');
  });

  it('re-registering sets the status it is given: without pending it commissions', async () => {
    await registerCharger(table, { chargerId: 'CP-REG-5', connectorCount: 1, pending: true, now });
    await registerCharger(table, { chargerId: 'CP-REG-5', connectorCount: 1, now });
    expect((await getCharger(table, 'CP-REG-5'))?.registrationStatus).toBe('Accepted');
  });

  it('commissions a Pending charger, and commissioning again is a no-op success', async () => {
    await registerCharger(table, { chargerId: 'CP-REG-3', connectorCount: 1, pending: true, now });
    const first = await commissionCharger(table, 'CP-REG-3');
    expect(first).toMatchObject({ alreadyAccepted: false, charger: { registrationStatus: 'Accepted' } });
    const stored = await getCharger(table, 'CP-REG-3');
    expect(stored?.registrationStatus).toBe('Accepted');

    const again = await commissionCharger(table, 'CP-REG-3');
    expect(again.alreadyAccepted).toBe(true);
    expect(await getCharger(table, 'CP-REG-3')).toEqual(stored);
  });

  it('treats a charger without a registration status as already Accepted', async () => {
    await registerCharger(table, { chargerId: 'CP-REG-4', connectorCount: 1, now });
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.charger('CP-REG-4'),
        UpdateExpression: 'REMOVE registrationStatus',
      }),
    );
    expect((await commissionCharger(table, 'CP-REG-4')).alreadyAccepted).toBe(true);
    expect((await getCharger(table, 'CP-REG-4'))?.registrationStatus).toBe('Accepted');
  });

  it('refuses to commission a charger that is not registered, writing nothing', async () => {
    await expect(commissionCharger(table, 'CP-NOPE')).rejects.toBeInstanceOf(NotFoundError);
    await expect(commissionCharger(table, 'CP-NOPE')).rejects.toThrow('charger CP-NOPE is not registered');
    expect(await getCharger(table, 'CP-NOPE')).toBeUndefined();
  });
});

describe('idTags', () => {
  it('adds, lists and blocks a tag, keeping its live session count', async () => {
    await addIdTag(table, { idTag: 'TAG-A', userId: 'user-a', maxConcurrent: 2 });
    expect(await getIdTag(table, 'TAG-A')).toMatchObject({
      status: 'Accepted',
      maxConcurrent: 2,
      activeSessionCount: 0,
    });
    await blockIdTag(table, 'TAG-A');
    expect((await getIdTag(table, 'TAG-A'))?.status).toBe('Blocked');
    expect((await listIdTags(table)).map((tag) => tag.idTag)).toContain('TAG-A');
  });

  it('refuses to block a tag that does not exist (conditional write)', async () => {
    await expect(blockIdTag(table, 'NOPE')).rejects.toBeInstanceOf(NotFoundError);
    expect(await getIdTag(table, 'NOPE')).toBeUndefined();
  });
});
