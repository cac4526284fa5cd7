import { NotFoundError } from '@evcharge/domain';
import { assignChargerToGateway, gatewayOfCharger } from '@evcharge/dynamo';
import { issueOcppCredentials, registerChargerLocally, verifyCredential } from '@evcharge/local-identity';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tableCredentialLookup } from '../../src/credential-store.js';

// Where the gateway's hashes live: the charger item, written by issueOcppCredentials, read per handshake.
let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('ocpp-credentials');
  await registerChargerLocally(table, { chargerId: 'CP-KEY', connectorCount: 1, now: new Date() });
  await registerChargerLocally(table, { chargerId: 'CP-NO-KEY', connectorCount: 1, now: new Date() });
});
afterAll(async () => {
  await table.drop();
});

describe('the OCPP credential on the charger item', () => {
  it('issues a 40-hex AuthorizationKey once, stores only its hash, and reads it back', async () => {
    const { username, password } = await issueOcppCredentials(table, 'CP-KEY');
    expect(username).toBe('CP-KEY');
    expect(password).toMatch(/^[0-9a-f]{40}$/);
    const credential = await tableCredentialLookup(table).credentialOf('CP-KEY');
    expect(credential?.ocppCredentialHash).not.toContain(password);
    await expect(verifyCredential(password, credential?.ocppCredentialHash ?? '')).resolves.toBe(true);
  });

  it('rotating the key invalidates the old one', async () => {
    const old = await issueOcppCredentials(table, 'CP-KEY');
    const fresh = await issueOcppCredentials(table, 'CP-KEY');
    const hash = (await tableCredentialLookup(table).credentialOf('CP-KEY'))?.ocppCredentialHash ?? '';
    await expect(verifyCredential(old.password, hash)).resolves.toBe(false);
    await expect(verifyCredential(fresh.password, hash)).resolves.toBe(true);
  });

  it('tells an unknown charger (undefined) from one without a key ({})', async () => {
    await expect(tableCredentialLookup(table).credentialOf('CP-NOBODY')).resolves.toBeUndefined();
    await expect(tableCredentialLookup(table).credentialOf('CP-NO-KEY')).resolves.toEqual({});
    await expect(issueOcppCredentials(table, 'CP-NOBODY')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('assigns a charger to a gateway; an unknown charger is NotFoundError', async () => {
    await assignChargerToGateway(table, 'CP-KEY', 'gw-site-1');
    await expect(gatewayOfCharger(table, 'CP-KEY')).resolves.toBe('gw-site-1');
    await expect(gatewayOfCharger(table, 'CP-NO-KEY')).resolves.toBeUndefined();
    await expect(assignChargerToGateway(table, 'CP-NOBODY', 'gw-site-1')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
