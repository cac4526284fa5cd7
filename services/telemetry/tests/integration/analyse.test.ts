import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { entities, entityOf, itemOf, keys } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import type { Alert } from '../../src/alert-rules.js';
import {
  kinesisRecord,
  lambdaContext,
  meterEventV1,
  meterEventV2,
  minutes,
  presenceEvent,
  statusEvent,
  T0,
  windowEvent,
} from '../helpers/factories.js';

// The analyse handler against DynamoDB Local, fed Kinesis tumbling-window events as Lambda delivers them.

let table: TestTable;
let invoke: (event: KinesisStreamTumblingWindowEvent) => Promise<KinesisStreamStateResponse>;

beforeAll(async () => {
  table = await createTestTable('telemetry');
  process.env.TABLE_NAME = table.tableName;
  const module = await import('../../src/handlers/analyse.js');
  invoke = (event) => module.handler(event, lambdaContext()) as Promise<KinesisStreamStateResponse>;
});
afterAll(async () => table.drop());

async function alertOf(chargerId: string, kind: Alert['kind']): Promise<Alert | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.alert(chargerId, kind), ConsistentRead: true }),
  );
  return Item ? entityOf<Alert>(Item) : undefined;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const flatV1 = (chargerId: string, minute: number) => meterEventV1(chargerId, T0 + minutes(minute), 5_000, 0);

describe('analyse (Kinesis tumbling windows → Alert items)', () => {
  it('opens one stalled-charging alert across a window, refreshes it at the final invoke, clears it in the next', async () => {
    const chargerId = 'TEL-STALL';
    const first = await invoke(
      windowEvent(
        [statusEvent(chargerId, T0 - minutes(1), 'Charging'), flatV1(chargerId, 0), flatV1(chargerId, 4)].map(
          (event) => kinesisRecord(event),
        ),
      ),
    );
    expect(first.batchItemFailures).toEqual([]);
    expect(await alertOf(chargerId, 'stalled-charging')).toBeUndefined();

    const second = await invoke(windowEvent([kinesisRecord(flatV1(chargerId, 10))], { state: first.state }));
    expect(await alertOf(chargerId, 'stalled-charging')).toMatchObject({
      status: 'open',
      connectorId: 1,
      firstSeenAt: iso(T0 + minutes(10)),
      lastSeenAt: iso(T0 + minutes(10)),
      episodes: 1,
    });

    await invoke(
      windowEvent([kinesisRecord(flatV1(chargerId, 14))], {
        state: second.state,
        isFinalInvokeForWindow: true,
      }),
    );
    expect(await alertOf(chargerId, 'stalled-charging')).toMatchObject({
      status: 'open',
      firstSeenAt: iso(T0 + minutes(10)),
      lastSeenAt: iso(T0 + minutes(14)),
    });

    // The next window starts empty; power flows again.
    await invoke(
      windowEvent([kinesisRecord(meterEventV1(chargerId, T0 + minutes(16), 5_100, 7_000))], {
        window: { start: iso(T0 + minutes(15)), end: iso(T0 + minutes(30)) },
      }),
    );
    expect(await alertOf(chargerId, 'stalled-charging')).toMatchObject({
      status: 'cleared',
      clearedAt: iso(T0 + minutes(16)),
      lastSeenAt: iso(T0 + minutes(14)),
    });
  });

  it("reads the connector's stored status when the window has seen none (Charging began long before)", async () => {
    const chargerId = 'TEL-STORED';
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: itemOf(entities.connector, {
          chargerId,
          connectorId: 1,
          status: 'Charging',
          plugged: true,
          faulted: false,
          ocppStatus: 'Charging',
          statusAt: iso(T0 - minutes(90)),
        }),
      }),
    );
    const records = [0, 5, 11].map((minute) =>
      kinesisRecord(meterEventV2(chargerId, T0 + minutes(minute), 5_000, 0)),
    );
    await invoke(windowEvent(records));
    expect(await alertOf(chargerId, 'stalled-charging')).toMatchObject({ status: 'open', episodes: 1 });
  });

  it('is idempotent: a batch retried, duplicated and reordered leaves the alert as one delivery did', async () => {
    const chargerId = 'TEL-DUP';
    const events = [
      statusEvent(chargerId, T0 - minutes(1), 'Charging'),
      ...[0, 6, 12].map((m) => flatV1(chargerId, m)),
    ];
    const records = events.map((event) => kinesisRecord(event));
    const once = await invoke(windowEvent(records));
    const stored = await alertOf(chargerId, 'stalled-charging');
    // Lambda retries the batch with the state it had before; duplicates and reordering come along.
    await invoke(windowEvent([...records, ...records].reverse()));
    await invoke(windowEvent(records, { state: once.state }));
    expect(await alertOf(chargerId, 'stalled-charging')).toEqual(stored);
    expect(stored).toMatchObject({ status: 'open', episodes: 1 });
  });

  it('opens a meter-anomaly alert for a register going backwards (v2), a flapping alert for a flapping charger', async () => {
    const chargerId = 'TEL-METER';
    await invoke(
      windowEvent([
        kinesisRecord(meterEventV2(chargerId, T0, 9_000, 7_000)),
        kinesisRecord(meterEventV2(chargerId, T0 + minutes(1), 2_000, 7_000)),
      ]),
    );
    expect(await alertOf(chargerId, 'meter-anomaly')).toMatchObject({
      status: 'open',
      detail: expect.stringMatching(/backwards 9000 → 2000/),
    });

    const flapper = 'TEL-FLAP';
    const flaps = Array.from({ length: 7 }, (_, index) => [
      presenceEvent(flapper, T0 + minutes(index * 2), 'disconnected'),
      presenceEvent(flapper, T0 + minutes(index * 2) + 5_000, 'connected'),
    ]).flat();
    await invoke(windowEvent(flaps.map((event) => kinesisRecord(event))));
    expect(await alertOf(flapper, 'flapping')).toMatchObject({
      status: 'open',
      detail: expect.stringMatching(/^7 disconnections/),
    });
  });

  it('counts flapping across windows through the stored lifecycle history', async () => {
    const chargerId = 'TEL-FLAP-2';
    const flaps = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => [
        presenceEvent(chargerId, T0 + minutes(from + index * 4), 'disconnected'),
        presenceEvent(chargerId, T0 + minutes(from + index * 4) + 5_000, 'connected'),
      ])
        .flat()
        .map((event) => kinesisRecord(event));
    await invoke(windowEvent(flaps(0, 4), { isFinalInvokeForWindow: true }));
    expect(await alertOf(chargerId, 'flapping')).toBeUndefined();
    await invoke(
      windowEvent(flaps(16, 3), { window: { start: iso(T0 + minutes(15)), end: iso(T0 + minutes(30)) } }),
    );
    expect(await alertOf(chargerId, 'flapping')).toMatchObject({
      status: 'open',
      detail: expect.stringMatching(/^7 disconnections in 60 min/),
    });
    const { Item } = await table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.presenceHistory(chargerId),
        ConsistentRead: true,
      }),
    );
    expect(Item?.events).toHaveLength(14);
    expect(Item?.expiresAtEpochS).toBeGreaterThan(T0 / 1000);
  });

  it('skips a record that is not JSON without failing the batch', async () => {
    const unreadable = { ...kinesisRecord(flatV1('TEL-BAD', 0)) };
    unreadable.kinesis = { ...unreadable.kinesis, data: Buffer.from('not json').toString('base64') };
    const result = await invoke(windowEvent([unreadable]));
    expect(result.batchItemFailures).toEqual([]);
  });
});
