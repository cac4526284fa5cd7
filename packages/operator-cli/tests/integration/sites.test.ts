import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runChargersCli } from '../../src/cli/chargers-command.js';
import { parseGridLimitW } from '../../src/sites.js';
import { cliHarness } from '../helpers/cli.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('operator-cli-sites');
});
afterAll(async () => {
  await table.drop();
});

const item = async (key: { pk: string; sk: string }) =>
  (await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;

describe('npm run chargers -- set-site / set-site-limit', () => {
  it("puts the siteId on the charger's listing (not the heartbeat's item) and creates the site", async () => {
    expect(await runChargersCli(['register', 'CP-SITE-1'], cliHarness(table).deps)).toBe(0);
    const harness = cliHarness(table);
    expect(await runChargersCli(['set-site', 'CP-SITE-1', 'SITE-A'], harness.deps)).toBe(0);
    expect(harness.out).toEqual([`Charger CP-SITE-1 is in site SITE-A (${table.tableName}).`]);
    expect(await item(keys.chargerListing('CP-SITE-1'))).toMatchObject({ siteId: 'SITE-A' });
    expect(await item(keys.charger('CP-SITE-1'))).not.toHaveProperty('siteId');
    // Registering again (a new credential) keeps the site.
    expect(await runChargersCli(['register', 'CP-SITE-1'], cliHarness(table).deps)).toBe(0);
    expect(await item(keys.chargerListing('CP-SITE-1'))).toMatchObject({ siteId: 'SITE-A' });
    expect(await item(keys.site('SITE-A'))).toEqual(
      expect.objectContaining({
        entityType: 'Site',
        siteId: 'SITE-A',
        updatedAt: '2026-11-25T07:00:00.000Z',
      }),
    );
  });

  it('sets a limit in kW or W, keeping the site', async () => {
    const harness = cliHarness(table);
    expect(await runChargersCli(['set-site-limit', 'SITE-A', '150'], harness.deps)).toBe(0);
    expect(harness.out).toEqual([`Site SITE-A: grid limit 150 kW (${table.tableName}).`]);
    expect(await item(keys.site('SITE-A'))).toMatchObject({ siteId: 'SITE-A', gridLimitW: 150_000 });
    expect(await runChargersCli(['set-site-limit', 'SITE-A', '22000W'], cliHarness(table).deps)).toBe(0);
    expect(await item(keys.site('SITE-A'))).toMatchObject({ gridLimitW: 22_000 });
  });

  it('refuses an unknown charger (exit 1) and bad arguments (exit 2) without writing', async () => {
    const unknown = cliHarness(table);
    expect(await runChargersCli(['set-site', 'CP-NOPE', 'SITE-B'], unknown.deps)).toBe(1);
    expect(unknown.err.join('\n')).toContain('charger CP-NOPE is not registered');
    expect(await item(keys.site('SITE-B'))).toBeUndefined();
    const bad = cliHarness(table);
    expect(await runChargersCli(['set-site-limit', 'SITE-A', 'lots'], bad.deps)).toBe(2);
    expect(bad.err.join('\n')).toContain('argument <limit>');
    expect(await runChargersCli(['set-site', 'CP-SITE-1', 'bad site'], cliHarness(table).deps)).toBe(2);
    expect(await runChargersCli(['set-site', 'CP-SITE-1', 'SITE-A', '--hard'], cliHarness(table).deps)).toBe(
      2,
    );
  });

  it('reads limits as an operator types them', () => {
    expect(parseGridLimitW('150')).toBe(150_000);
    expect(parseGridLimitW('150kW')).toBe(150_000);
    expect(parseGridLimitW('7.4 kw')).toBe(7_400);
    expect(parseGridLimitW('22000W')).toBe(22_000);
    expect(parseGridLimitW('0')).toBeUndefined();
    expect(parseGridLimitW('-5')).toBeUndefined();
    expect(parseGridLimitW('5 MW')).toBeUndefined();
  });
});
