import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { entities, entityOf, itemOf, keys } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import type { Alert } from '../../src/alert-rules.js';
import { listChargerEnergy, listSiteEnergy, readSiteLoad, recordSitePower } from '../../src/store.js';
import {
  kinesisRecord,
  lambdaContext,
  meterEventV1,
  minutes,
  T0,
  windowEvent,
} from '../helpers/factories.js';

// Site load and hourly energy through the analyse handler on DynamoDB Local: a site's chargers on different
// shards (each with its own window state), the SiteLoad item between them, the site's one alert.

let table: TestTable;
let invoke: (event: KinesisStreamTumblingWindowEvent) => Promise<KinesisStreamStateResponse>;

beforeAll(async () => {
  table = await createTestTable('telemetry-site');
  process.env.TABLE_NAME = table.tableName;
  const module = await import('../../src/handlers/analyse.js');
  invoke = (event) => module.handler(event, lambdaContext()) as Promise<KinesisStreamStateResponse>;
});
afterAll(async () => table.drop());

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const put = (item: Record<string, unknown>) =>
  table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));

async function site(siteId: string, gridLimitW: number, chargerIds: string[]) {
  await put(itemOf(entities.site, { siteId, gridLimitW, updatedAt: iso(T0) }));
  for (const chargerId of chargerIds) await put(itemOf(entities.chargerListing, { chargerId, siteId }));
}

async function siteAlert(siteId: string): Promise<Alert | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.siteAlert(siteId, 'site-load'),
      ConsistentRead: true,
    }),
  );
  return Item ? entityOf<Alert>(Item) : undefined;
}

/** One shard's invocations: its own window state, carried between calls like Lambda does. */
function shard() {
  let state: unknown = {};
  return async (
    events: Record<string, unknown>[],
    overrides: Partial<KinesisStreamTumblingWindowEvent> = {},
  ) => {
    const result = await invoke(
      windowEvent(
        events.map((event) => kinesisRecord(event as { chargerId: string })),
        { state: state as KinesisStreamTumblingWindowEvent['state'], ...overrides },
      ),
    );
    expect(result.batchItemFailures).toEqual([]);
    state = result.state;
    return result;
  };
}

describe('site load across shards', () => {
  it('opens one alert on the site when its chargers together pass 90 % of the limit, and clears it once', async () => {
    await site('SITE-A', 20_000, ['SL-A1', 'SL-A2']);
    const shard1 = shard();
    const shard2 = shard();
    await shard1([meterEventV1('SL-A1', T0, 1_000, 11_000)]);
    expect(await siteAlert('SITE-A')).toBeUndefined();
    await shard2([meterEventV1('SL-A2', T0 + minutes(1), 2_000, 8_000)]);
    expect(await siteAlert('SITE-A')).toMatchObject({
      siteId: 'SITE-A',
      chargerId: 'SL-A1',
      kind: 'site-load',
      status: 'open',
      firstSeenAt: iso(T0 + minutes(1)),
      episodes: 1,
    });
    // A duplicate (and an older reading) changes nothing; a drop on shard 1 clears it.
    const duplicate = meterEventV1('SL-A2', T0 + minutes(1), 2_000, 8_000);
    await shard2([duplicate, duplicate, meterEventV1('SL-A2', T0 - minutes(5), 1_900, 0)]);
    expect(await readSiteLoad(table, 'SITE-A')).toEqual({
      'SL-A1#1': { powerW: 11_000, at: T0 },
      'SL-A2#1': { powerW: 8_000, at: T0 + minutes(1) },
    });
    await shard1([meterEventV1('SL-A1', T0 + minutes(2), 1_200, 3_000)]);
    expect(await siteAlert('SITE-A')).toMatchObject({ status: 'cleared', clearedAt: iso(T0 + minutes(2)) });
  });

  it("a charger that stopped reporting stops counting: the final invoke judges at the window's end", async () => {
    await site('SITE-B', 20_000, ['SL-B1', 'SL-B2']);
    const shard1 = shard();
    const shard2 = shard();
    await shard1([meterEventV1('SL-B1', T0 - minutes(20), 1_000, 11_000)]);
    await shard2([meterEventV1('SL-B2', T0, 1_000, 8_000)]);
    expect(await siteAlert('SITE-B')).toMatchObject({ status: 'open' });
    // SL-B1 is silent; its 11 kW of T0 − 20 min expires 30 min after it, before this window's end.
    await shard2([], {
      isFinalInvokeForWindow: true,
      window: { start: iso(T0), end: iso(T0 + minutes(15)) },
    });
    expect(await siteAlert('SITE-B')).toMatchObject({ status: 'cleared', clearedAt: iso(T0 + minutes(15)) });
  });

  it('concurrent shards never lose each other’s entries, and an older entry never replaces a newer one', async () => {
    const connectors = Array.from({ length: 20 }, (_, index) => `SL-C${index}#1`);
    await Promise.all(
      connectors.map((key, index) =>
        recordSitePower(table, 'SITE-C', key, { powerW: index * 100, at: T0 + index }),
      ),
    );
    const stored = await readSiteLoad(table, 'SITE-C');
    expect(Object.keys(stored).sort()).toEqual([...connectors].sort());
    const after = await recordSitePower(table, 'SITE-C', 'SL-C5#1', { powerW: 99_999, at: T0 });
    expect(after['SL-C5#1']).toEqual({ powerW: 500, at: T0 + 5 });
  });

  it('a charger without a site, or a site without a limit, writes no site load', async () => {
    await put(itemOf(entities.site, { siteId: 'SITE-D', updatedAt: iso(T0) }));
    await put(itemOf(entities.chargerListing, { chargerId: 'SL-D1', siteId: 'SITE-D' }));
    await shard()([meterEventV1('SL-D1', T0, 1_000, 50_000), meterEventV1('SL-NOSITE', T0, 1_000, 50_000)]);
    expect(await readSiteLoad(table, 'SITE-D')).toEqual({});
    expect(await siteAlert('SITE-D')).toBeUndefined();
  });
});

describe('hourly energy', () => {
  it("keeps each charger's and site's hours at the window's final invoke, unchanged by a replay", async () => {
    await site('SITE-E', 100_000, ['SL-E1', 'SL-E2']);
    const hour10 = T0; // 10:00Z
    const events1 = [
      meterEventV1('SL-E1', hour10 + minutes(40), 10_000, 7_000),
      meterEventV1('SL-E1', hour10 + minutes(50), 11_000, 7_000),
      meterEventV1('SL-E1', hour10 + minutes(62), 12_500, 7_000),
    ];
    const shard1 = shard();
    const final = { isFinalInvokeForWindow: true, window: { start: iso(T0), end: iso(T0 + minutes(75)) } };
    await shard1(events1);
    expect(await listChargerEnergy(table, 'SL-E1', '2026-12-06T00', '2026-12-06T23')).toEqual([]);
    await shard1([], final);
    await shard()(
      [
        meterEventV1('SL-E2', hour10 + minutes(10), 500, 3_000),
        meterEventV1('SL-E2', hour10 + minutes(20), 900, 3_000),
      ],
      final,
    );
    const expected = [
      { hour: '2026-12-06T10', energyWh: 1_000 },
      { hour: '2026-12-06T11', energyWh: 0 },
    ];
    expect(await listChargerEnergy(table, 'SL-E1', '2026-12-06T00', '2026-12-06T23')).toEqual(expected);
    // The same readings redelivered in a later window of the same shard change nothing.
    const replay = shard();
    await replay([...events1].reverse());
    await replay([], final);
    expect(await listChargerEnergy(table, 'SL-E1', '2026-12-06T00', '2026-12-06T23')).toEqual(expected);
    expect(await listSiteEnergy(table, 'SITE-E', '2026-12-06T10', '2026-12-06T10')).toEqual([
      { hour: '2026-12-06T10', energyWh: 1_400, chargers: { 'SL-E1': 1_000, 'SL-E2': 400 } },
    ]);
  });
});
