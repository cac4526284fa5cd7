// @lane isolated: connect/disconnect pairs race (reboots); nothing else may share the CPU.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PresenceEvent } from '@evcharge/domain';
import { keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectedEvent,
  disconnectedEvent,
  heartbeatEvent,
  lambdaContext,
  scheduledEvent,
} from '../helpers/factories.js';

type Invoke = (event: unknown) => Promise<unknown>;
let table: TestTable;
let presence: Invoke;
let heartbeat: Invoke;
let sweep: () => Promise<{ due: number; markedOffline: number }>;

beforeAll(async () => {
  table = await createTestTable('presence');
  // Every heartbeat reaches the store: these suites test its writes, not the container's coalescing.
  process.env.HEARTBEAT_COALESCE_S = '0';
  process.env.TABLE_NAME = table.tableName;
  const presenceModule = await import('../../src/handlers/presence.js');
  const heartbeatModule = await import('../../src/handlers/heartbeat.js');
  const sweeperModule = await import('../../src/handlers/sweeper.js');
  presence = (event) => presenceModule.handler(event, lambdaContext('presence'));
  heartbeat = (event) => heartbeatModule.handler(event, lambdaContext('heartbeat'));
  sweep = () =>
    sweeperModule.handler(scheduledEvent(), lambdaContext('sweeper')) as Promise<{
      due: number;
      markedOffline: number;
    }>;
});
afterAll(async () => table.drop());

let serial = 0;
async function registered(prefix = 'PR'): Promise<string> {
  const chargerId = `${prefix}-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date('2026-01-01T00:00:00.000Z') });
  return chargerId;
}

async function chargerItem(chargerId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item ?? {};
}

function permutations<Item>(items: readonly Item[]): Item[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('lifecycle events out of order and twice', () => {
  const base = Date.now() - 120_000;

  it.each([
    [
      'ending connected',
      (id: string): PresenceEvent[] => [
        connectedEvent(id, 1, base),
        disconnectedEvent(id, 2, base + 10_000, false),
        connectedEvent(id, 3, base + 20_000),
        disconnectedEvent(id, 2, base + 10_000, false), // duplicate delivery
      ],
      { status: 'online', presenceVersion: 3, presenceTimestamp: base + 20_000, connected: true },
    ],
    [
      'ending with an unclean disconnect (same versionNumber: timestamp decides)',
      (id: string): PresenceEvent[] => [
        connectedEvent(id, 1, base),
        disconnectedEvent(id, 1, base + 10_000, false),
        connectedEvent(id, 2, base + 20_000),
        disconnectedEvent(id, 2, base + 30_000, false),
        connectedEvent(id, 2, base + 20_000), // duplicate delivery
      ],
      { status: 'offline', presenceVersion: 2, presenceTimestamp: base + 30_000, connected: false },
    ],
  ])('every order of a sequence %s gives its final state', async (_label, sequence, expected) => {
    const orders = permutations(sequence('template').map((_, index) => index));
    for (const order of orders) {
      const chargerId = await registered('PERM');
      const events = sequence(chargerId);
      for (const index of order) await presence(events[index]);
      const item = await chargerItem(chargerId);
      expect({ order, ...pick(item, Object.keys(expected)) }).toEqual({ order, ...expected });
      expect(item.duePk !== undefined).toBe(expected.status === 'online');
    }
  });

  it('a late connected never overrides a newer disconnected', async () => {
    const chargerId = await registered();
    await presence(disconnectedEvent(chargerId, 5, base + 5_000, false));
    expect(await presence(connectedEvent(chargerId, 4, base + 9_000))).toEqual({ outcome: 'outdated' });
    expect(await chargerItem(chargerId)).toMatchObject({ status: 'offline', presenceVersion: 5 });
  });

  it('of two concurrent duplicates, exactly one is applied', async () => {
    const chargerId = await registered();
    const event = connectedEvent(chargerId, 1, base);
    const results = await Promise.all([presence(event), presence(event)]);
    expect(results).toEqual(
      expect.arrayContaining([
        { outcome: 'applied', plan: 'online', statusChanged: true },
        { outcome: 'outdated' },
      ]),
    );
  });
});

describe('connected', () => {
  it('flips offline→online and arms the deadline from the connect time', async () => {
    const chargerId = await registered();
    const at = Date.now() - 1_000;
    expect(await presence(connectedEvent(chargerId, 1, at))).toEqual({
      outcome: 'applied',
      plan: 'online',
      statusChanged: true,
    });
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: iso(at),
      lastSeenAt: iso(at),
      // The backstop: checked then, re-armed while the charger keeps heartbeating.
      dueAt: at + 3_600_000,
      connected: true,
    });
  });

  it('older than the last heartbeat keeps the later deadline', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 1_000));
    expect(await presence(connectedEvent(chargerId, 1, now - 5_000))).toMatchObject({ plan: 'record' });
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      lastSeenAt: iso(now - 1_000),
      dueAt: now - 1_000 + 3_600_000,
      presenceVersion: 1,
    });
  });
});

describe('a clean disconnect (reboot)', () => {
  // Regression (found driving the local cloud with mosquitto_pub, which connects, publishes and disconnects at
  // once): when the connect lands while the clean disconnect is being re-planned, the disconnect's grace write
  // sent expression values it no longer used and failed with a ValidationException on every retry.
  it('racing its own connect is applied, never failed', async () => {
    const now = Date.now();
    const races = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const chargerId = await registered('RACE');
        const [connect, disconnect] = await Promise.all([
          presence(connectedEvent(chargerId, 1, now - 2_000)),
          presence(disconnectedEvent(chargerId, 2, now - 1_000, true)),
        ]);
        return { chargerId, connect, disconnect };
      }),
    );
    // The newer disconnect is always applied. The connect lands first (online, then the disconnect's grace)
    // or second (outdated, a no-op: the charger, never seen online, stays offline). Never an error.
    for (const { chargerId, connect, disconnect } of races) {
      expect(disconnect).toMatchObject({ outcome: 'applied' });
      const item = await chargerItem(chargerId);
      expect(item).toMatchObject({ connected: false, presenceVersion: 2 });
      if ((connect as { outcome: string }).outcome === 'applied') {
        expect(item).toMatchObject({ status: 'online', dueAt: now - 1_000 + 60_000 });
      } else {
        expect(connect).toEqual({ outcome: 'outdated' });
        expect(item.status).toBe('offline');
      }
    }
  });

  it('that reconnects within the grace period never goes offline', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 120_000));
    const onlineSince = (await chargerItem(chargerId)).statusChangedAt;

    await presence(disconnectedEvent(chargerId, 1, now - 50_000, true));
    expect(await chargerItem(chargerId)).toMatchObject({ status: 'online', dueAt: now + 10_000 });
    await presence(connectedEvent(chargerId, 2, now - 20_000));
    await sweep();

    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: onlineSince,
      dueAt: now - 20_000 + 3_600_000,
    });
  });

  it('whose connected event is lost is kept online by its first heartbeat, even within 30 s', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 45_000));
    await presence(disconnectedEvent(chargerId, 1, now - 40_000, true));
    expect(await heartbeat(heartbeatEvent(chargerId, now - 30_000))).toEqual({
      outcome: 'recorded',
      wentOnline: false,
    });
    expect(await chargerItem(chargerId)).toMatchObject({ connected: true, dueAt: now - 30_000 + 3_600_000 });
  });

  it('stays online through the grace period (and the sweep allowance), then the sweeper marks it offline once', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 200_000));
    await presence(disconnectedEvent(chargerId, 1, now - 30_000, true));
    await sweep();
    expect((await chargerItem(chargerId)).status).toBe('online');

    const other = await registered();
    await heartbeat(heartbeatEvent(other, now - 200_000));
    // 60 s grace + 60 s sweep allowance.
    await presence(disconnectedEvent(other, 1, now - 121_000, true));
    const before = Date.now();
    await sweep();
    const item = await chargerItem(other);
    expect(item).toMatchObject({ status: 'offline', connected: false });
    expect(item.duePk).toBeUndefined();
    expect(Date.parse(item.statusChangedAt)).toBeGreaterThanOrEqual(before);
    await sweep();
    expect((await chargerItem(other)).statusChangedAt).toBe(item.statusChangedAt);
  });
});

describe('an unclean disconnect', () => {
  it('marks the charger offline at once', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 60_000));
    expect(await presence(disconnectedEvent(chargerId, 1, now - 10_000, false))).toEqual({
      outcome: 'applied',
      plan: 'offline',
      statusChanged: true,
    });
    const item = await chargerItem(chargerId);
    expect(item).toMatchObject({ status: 'offline', statusChangedAt: iso(now - 10_000), connected: false });
    expect(item.duePk).toBeUndefined();
    expect(item.onlineSince).toBeUndefined();
  });

  it('older than the last heartbeat is superseded: the charger has spoken since', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 5_000));
    expect(await presence(disconnectedEvent(chargerId, 1, now - 10_000, false))).toMatchObject({
      plan: 'record',
    });
    expect(await chargerItem(chargerId)).toMatchObject({ status: 'online', presenceVersion: 1 });
  });

  it('is not undone by a late heartbeat received before it, but is by one received after', async () => {
    const chargerId = await registered();
    const now = Date.now();
    await heartbeat(heartbeatEvent(chargerId, now - 60_000));
    await presence(disconnectedEvent(chargerId, 1, now - 10_000, false));

    expect(await heartbeat(heartbeatEvent(chargerId, now - 20_000))).toEqual({ outcome: 'stale' });
    expect((await chargerItem(chargerId)).status).toBe('offline');

    expect(await heartbeat(heartbeatEvent(chargerId, now - 1_000))).toEqual({
      outcome: 'recorded',
      wentOnline: true,
    });
    expect(await chargerItem(chargerId)).toMatchObject({
      status: 'online',
      statusChangedAt: iso(now - 1_000),
    });
  });
});

describe('bad input', () => {
  it.each([
    ['an unregistered client id', 'NOBODY', 'chargerId'],
    ['a client id that is not a charger id', 'backend/worker:1', 'clientId'],
  ])('refuses %s', async (_label, clientId, field) => {
    expect(await presence(connectedEvent(clientId, 1, Date.now()))).toMatchObject({
      rejected: true,
      errorClass: 'bad-input',
      field,
    });
  });

  it('refuses an event that is not a lifecycle event', async () => {
    expect(await presence({ clientId: 'X', eventType: 'subscribed', timestamp: 1 })).toMatchObject({
      rejected: true,
    });
  });
});

function pick(item: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}
