import { NotFoundError } from '@evcharge/domain';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addIdTag,
  blockIdTag,
  getCharger,
  getIdTag,
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
      livenessWindowMs: 660_000,
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
