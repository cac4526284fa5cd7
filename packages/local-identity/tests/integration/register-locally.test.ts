import { BadInputError } from '@evcharge/domain';
import { getCharger, listConnectors } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerChargerLocally } from '../../src/charger-registration.js';
import { verifyCredential } from '../../src/credentials.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('local-register');
});
afterAll(async () => {
  await table.drop();
});

describe('registerChargerLocally', () => {
  const now = new Date('2026-11-25T07:00:00.000Z');

  it('records the charger with a hash of a fresh password and returns the credentials once', async () => {
    const credentials = await registerChargerLocally(table, {
      chargerId: 'CP-LOCAL-1',
      connectorCount: 2,
      now,
    });
    expect(credentials.chargerId).toBe('CP-LOCAL-1');
    expect(credentials.username).toBe('CP-LOCAL-1');
    expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const charger = await getCharger(table, 'CP-LOCAL-1');
    expect(charger).toMatchObject({ chargerId: 'CP-LOCAL-1', connectorCount: 2, status: 'offline' });
    expect(charger?.credentialHash).toBeDefined();
    expect(charger?.credentialHash).not.toContain(credentials.password);
    await expect(verifyCredential(credentials.password, charger?.credentialHash ?? '')).resolves.toBe(true);
    expect((await listConnectors(table, 'CP-LOCAL-1')).map((connector) => connector.connectorId)).toEqual([
      1, 2,
    ]);
  });

  it('records Accepted by default and Pending when asked', async () => {
    await registerChargerLocally(table, { chargerId: 'CP-LOCAL-3', connectorCount: 1, now });
    await registerChargerLocally(table, { chargerId: 'CP-LOCAL-4', connectorCount: 1, pending: true, now });
    expect((await getCharger(table, 'CP-LOCAL-3'))?.registrationStatus).toBe('Accepted');
    expect((await getCharger(table, 'CP-LOCAL-4'))?.registrationStatus).toBe('Pending');
  });

  it('rotates the password on re-registration: the old one stops working', async () => {
    const first = await registerChargerLocally(table, { chargerId: 'CP-LOCAL-2', connectorCount: 1, now });
    const second = await registerChargerLocally(table, { chargerId: 'CP-LOCAL-2', connectorCount: 1, now });
    const hash = (await getCharger(table, 'CP-LOCAL-2'))?.credentialHash ?? '';
    expect(second.password).not.toBe(first.password);
    await expect(verifyCredential(second.password, hash)).resolves.toBe(true);
    await expect(verifyCredential(first.password, hash)).resolves.toBe(false);
  });

  it.each([
    ['chargerId', { chargerId: 'has space', connectorCount: 1 }],
    ['chargerId', { chargerId: 'x'.repeat(65), connectorCount: 1 }],
    ['connectorCount', { chargerId: 'CP-OK', connectorCount: 0 }],
    ['connectorCount', { chargerId: 'CP-OK', connectorCount: 1.5 }],
  ])('rejects a bad %s without writing', async (field, input) => {
    const attempt = registerChargerLocally(table, { ...input, now });
    await expect(attempt).rejects.toThrow(BadInputError);
    await expect(attempt).rejects.toMatchObject({ field });
    expect(await getCharger(table, input.chargerId)).toBeUndefined();
  });
});
