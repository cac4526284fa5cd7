import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HeartbeatEvent } from '@evcharge/domain';
import { keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { heartbeatEvent, lambdaContext, recordCommands } from '../helpers/factories.js';

// The deployed defaults: heartbeats coalesced for 900 s (a quarter of the 3,600 s backstop).
let table: TestTable;
let invoke: (event: HeartbeatEvent) => Promise<unknown>;
let commands: ReturnType<typeof recordCommands>;

beforeAll(async () => {
  table = await createTestTable('heartbeat-coalescing');
  delete process.env.HEARTBEAT_COALESCE_S;
  process.env.TABLE_NAME = table.tableName;
  const { handler } = await import('../../src/handlers/heartbeat.js');
  const config = await import('../../src/config.js');
  commands = recordCommands(config.table.client);
  invoke = (event) => handler(event, lambdaContext('heartbeat'));
});
afterAll(async () => table.drop());
beforeEach(() => commands.clear());

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
let serial = 0;
async function online(): Promise<string> {
  const chargerId = `HBC-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date(T0 - 86_400_000) });
  await invoke(heartbeatEvent(chargerId, T0));
  commands.clear();
  return chargerId;
}

async function lastSeenAt(chargerId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item?.lastSeenAt;
}

describe('a heartbeat in a warm container', () => {
  it('is not written (no command at all) within 900 s of the one the container wrote, then written again', async () => {
    const chargerId = await online();

    expect(await invoke(heartbeatEvent(chargerId, T0 + 300_000))).toEqual({ outcome: 'coalesced' });
    expect(await invoke(heartbeatEvent(chargerId, T0 + 600_000))).toEqual({ outcome: 'coalesced' });
    expect(commands.sent).toEqual([]);
    expect(await lastSeenAt(chargerId)).toBe(new Date(T0).toISOString());

    expect(await invoke(heartbeatEvent(chargerId, T0 + 900_000))).toEqual({
      outcome: 'recorded',
      wentOnline: false,
    });
    expect(commands.sent).toEqual([{ command: 'UpdateItemCommand', capacityUnits: 1 }]);
    expect(await lastSeenAt(chargerId)).toBe(new Date(T0 + 900_000).toISOString());
  });

  it('is written at once when it reports something new (firmware), whatever the window', async () => {
    const chargerId = await online();

    await invoke(heartbeatEvent(chargerId, T0 + 300_000, { firmware: '9.9.9' }));

    expect(commands.names()).toEqual(['UpdateItemCommand']);
    expect(await lastSeenAt(chargerId)).toBe(new Date(T0 + 300_000).toISOString());
  });

  it("coalesces per charger: another charger's first heartbeat is written", async () => {
    await online();
    const other = `HBC-${++serial}`;
    await registerCharger(table, { chargerId: other, connectorCount: 1, now: new Date(T0 - 86_400_000) });

    expect(await invoke(heartbeatEvent(other, T0 + 300_000))).toEqual({
      outcome: 'recorded',
      wentOnline: true,
    });
  });
});
