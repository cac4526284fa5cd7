// @lane isolated: concurrent plug and authorization transactions race; nothing else may share the CPU.
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '@evcharge/domain';
import { addIdTag, getConnector, getIdTag, getSession, keys, type TableContext } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type PlugEventInput, recordPlugEvent } from '../../src/store.js';
import { authorizeSession, expireSession, registerTestCharger, seedSession } from '../helpers/seed.js';

// Deterministic interleavings: another writer commits between this service's read and its transaction.

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('plug-races');
});
afterAll(async () => table.drop());

const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A table context that runs `interleave` just before the first transaction is sent. */
function interleaved(interleave: () => Promise<void>): TableContext & { transactions: number } {
  let pending = true;
  const context = {
    tableName: table.tableName,
    transactions: 0,
    client: {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand) {
          context.transactions++;
          if (pending) {
            pending = false;
            await interleave();
          }
        }
        return table.client.send(command as Parameters<DynamoDBDocumentClient['send']>[0]);
      },
    } as unknown as DynamoDBDocumentClient,
  };
  return context;
}

let counter = 0;
async function charger(): Promise<string> {
  counter++;
  const chargerId = `RACE-${counter}`;
  await registerTestCharger(table, chargerId);
  return chargerId;
}

function plugInput(chargerId: string, event: 'plugged' | 'unplugged', offsetMs: number): PlugEventInput {
  return {
    chargerId,
    connectorId: 1,
    messageId: randomUUID(),
    event,
    at: iso(T0 + offsetMs),
    receivedAt: T0 + offsetMs,
  };
}

describe('a concurrent change cancels the transaction; the event is re-read and re-applied', () => {
  it('an authorization lands after the plug was read: the new session starts Charging', async () => {
    const chargerId = await charger();
    await addIdTag(table, { idTag: `A-${counter}`, userId: 'user-a' });
    let sessionId = '';
    const context = interleaved(async () => {
      const auth = await authorizeSession(table, {
        chargerId,
        connectorId: 1,
        idTag: `A-${counter}`,
        receivedAtMs: T0 + 1_000,
      });
      sessionId = auth.session!.sessionId;
      expect(auth.session?.status).toBe('Authorized');
    });
    const result = await recordPlugEvent(context, plugInput(chargerId, 'plugged', 2_000));
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2, sessionUpdate: { to: 'Charging' } });
    expect(context.transactions).toBe(2);
    expect(await getSession(table, sessionId)).toMatchObject({
      status: 'Charging',
      chargingStartedAt: iso(T0 + 2_000),
    });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      status: 'Charging',
      activeSessionId: sessionId,
    });
  });

  it('a meter reading lands after the unplug was read: the completion takes the newer reading', async () => {
    const chargerId = await charger();
    const session = await seedSession(table, {
      chargerId,
      status: 'Charging',
      startedAtMs: T0,
      energyStartWh: 1_000,
      latestRegisterWh: 2_000,
      lastReadingAt: iso(T0 + 60_000),
    });
    const context = interleaved(async () => {
      await table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.session(session.sessionId),
          UpdateExpression: 'SET latestRegisterWh = :register, lastReadingAt = :readAt',
          ExpressionAttributeValues: { ':register': 9_000, ':readAt': iso(T0 + 120_000) },
        }),
      );
    });
    const result = await recordPlugEvent(context, plugInput(chargerId, 'unplugged', 130_000));
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2 });
    expect(await getSession(table, session.sessionId)).toMatchObject({
      status: 'Completed',
      energyWh: 8_000,
      costMinor: 2_800,
      durationS: 130,
    });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      lastRegisterWh: 9_000,
      lastReadingAt: iso(T0 + 120_000),
    });
  });

  it('the expiry sweeper expires the session after the plug was read: plugged, no session, nothing revived', async () => {
    const chargerId = await charger();
    const session = await seedSession(table, { chargerId, status: 'Authorized', startedAtMs: T0 });
    const context = interleaved(async () => {
      const outcome = await expireSession(table, session.sessionId, new Date(T0 + 121_000));
      expect(outcome.outcome).toBe('expired');
    });
    const result = await recordPlugEvent(context, plugInput(chargerId, 'plugged', 121_500));
    expect(result).toMatchObject({ outcome: 'applied', attempts: 2, connectorStatus: 'Preparing' });
    expect(result).not.toHaveProperty('sessionUpdate');
    expect((await getSession(table, session.sessionId))?.status).toBe('Expired');
    const connector = await getConnector(table, chargerId, 1);
    expect(connector).toMatchObject({ plugged: true, status: 'Preparing' });
    expect(connector?.activeSessionId).toBeUndefined();
    expect((await getIdTag(table, session.idTag))?.activeSessionCount).toBe(0);
  });

  it('another plug event of the same connector commits first: the older one is recorded as older', async () => {
    const chargerId = await charger();
    const newer = plugInput(chargerId, 'unplugged', 5_000);
    const context = interleaved(async () => {
      await recordPlugEvent(table, plugInput(chargerId, 'plugged', 4_000));
      await recordPlugEvent(table, newer);
    });
    const result = await recordPlugEvent(context, plugInput(chargerId, 'plugged', 3_000));
    expect(result).toMatchObject({ outcome: 'ignored', reason: 'older', attempts: 2 });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      plugged: false,
      lastEventAt: newer.at,
      plugEventSeq: 3,
    });
  });
});

describe('bounded retries', () => {
  function conflictingClient(): TableContext & { transactions: number } {
    const context = {
      tableName: table.tableName,
      transactions: 0,
      client: {
        send: async (command: unknown) => {
          if (command instanceof TransactWriteCommand) {
            context.transactions++;
            throw Object.assign(new Error('Transaction cancelled'), {
              name: 'TransactionCanceledException',
              CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }],
            });
          }
          return table.client.send(command as Parameters<DynamoDBDocumentClient['send']>[0]);
        },
      } as unknown as DynamoDBDocumentClient,
    };
    return context;
  }

  it('a connector that keeps conflicting becomes a TransientError after maxAttempts (Lambda retries it)', async () => {
    const chargerId = await charger();
    const context = conflictingClient();
    const sleeps: number[] = [];
    await expect(
      recordPlugEvent(context, plugInput(chargerId, 'plugged', 1_000), {
        maxAttempts: 4,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
    ).rejects.toBeInstanceOf(TransientError);
    expect(context.transactions).toBe(4);
    expect(sleeps).toHaveLength(3); // jittered back-off between attempts, none after the last
    expect(await getConnector(table, chargerId, 1)).toMatchObject({ plugged: false });
  });

  it('an error that is not a cancellation is rethrown as is', async () => {
    const chargerId = await charger();
    const context = {
      tableName: table.tableName,
      client: {
        send: async (command: unknown) => {
          if (command instanceof TransactWriteCommand)
            throw Object.assign(new Error('boom'), { name: 'ValidationException' });
          return table.client.send(command as Parameters<DynamoDBDocumentClient['send']>[0]);
        },
      } as unknown as DynamoDBDocumentClient,
    };
    await expect(recordPlugEvent(context, plugInput(chargerId, 'plugged', 1_000))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
