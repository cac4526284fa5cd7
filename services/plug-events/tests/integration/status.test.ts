import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { connectorAvailability, type StatusEvent } from '@evcharge/domain';
import { connectorClaim, getCharger, getConnector, keys } from '@evcharge/dynamo';
import type { Rejected } from '@evcharge/middleware';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { StatusResult } from '../../src/store.js';
import { plugRuleEvent, statusLambdaContext, statusRuleEvent } from '../helpers/factories.js';
import { registerTestCharger, seedSession } from '../helpers/seed.js';

type Handler = (event: unknown, context: Context) => Promise<StatusResult | Rejected>;

let table: TestTable;
let status: Handler;
let plug: Handler;
beforeAll(async () => {
  table = await createTestTable('plug-events-status');
  process.env.TABLE_NAME = table.tableName;
  ({ handler: status } = (await import('../../src/handlers/status.js')) as unknown as { handler: Handler });
  ({ handler: plug } = (await import('../../src/handlers/plug.js')) as unknown as { handler: Handler });
});
afterAll(async () => table.drop());

const T0 = Date.now() - 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const send = (event: StatusEvent) => status(event, statusLambdaContext());

let chargerCounter = 0;
async function freshCharger(label: string, connectorCount = 1): Promise<string> {
  chargerCounter++;
  const chargerId = `${label}-${chargerCounter}`;
  await registerTestCharger(table, chargerId, connectorCount);
  return chargerId;
}

const at = (chargerId: string, minute: number, overrides: Partial<StatusEvent> = {}) =>
  statusRuleEvent({
    chargerId,
    at: iso(T0 + minute * 60_000),
    receivedAt: T0 + minute * 60_000 + 150,
    ...overrides,
  });

describe('status (chargers/+/status) against DynamoDB Local', () => {
  it('keeps the OCPP status verbatim; Faulted sets faulted and a later Available clears it', async () => {
    const chargerId = await freshCharger('CP-ST-FAULT');
    const faulted = await send(
      at(chargerId, 1, {
        status: 'Faulted',
        errorCode: 'GroundFailure',
        info: 'RCD tripped',
        vendorErrorCode: 'E-042',
      }),
    );
    expect(faulted).toMatchObject({ outcome: 'applied', connectorStatus: 'Faulted', fault: 'raised' });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      status: 'Faulted',
      faulted: true,
      ocppStatus: 'Faulted',
      errorCode: 'GroundFailure',
      info: 'RCD tripped',
      vendorErrorCode: 'E-042',
      statusAt: iso(T0 + 60_000),
    });

    const recovered = await send(at(chargerId, 2, { status: 'Available' }));
    expect(recovered).toMatchObject({ outcome: 'applied', connectorStatus: 'Available', fault: 'cleared' });
    const connector = await getConnector(table, chargerId, 1);
    expect(connector).toMatchObject({ faulted: false, ocppStatus: 'Available', errorCode: 'NoError' });
    expect(connector).not.toHaveProperty('info');
    expect(connector).not.toHaveProperty('vendorErrorCode');
  });

  it('a late status never moves the connector back, and writes nothing', async () => {
    const chargerId = await freshCharger('CP-ST-LATE');
    await send(at(chargerId, 2, { status: 'Available' }));
    const before = await getConnector(table, chargerId, 1);
    const lateReceivedAt = Date.now();
    const late = await send(
      at(chargerId, 1, { status: 'Faulted', errorCode: 'HighTemperature', receivedAt: lateReceivedAt }),
    );
    expect(late).toMatchObject({ outcome: 'ignored', reason: 'older' });
    expect(await getConnector(table, chargerId, 1)).toEqual(before);
    // Not a sign of life either: liveness is the connection's and the heartbeat's.
    expect((await getCharger(table, chargerId))?.lastSeenAt).toBeUndefined();
  });

  it('a duplicate changes nothing', async () => {
    const chargerId = await freshCharger('CP-ST-DUP');
    const event = at(chargerId, 1, { status: 'Unavailable' });
    expect(await send(event)).toMatchObject({ outcome: 'applied', connectorStatus: 'Unavailable' });
    const once = await getConnector(table, chargerId, 1);
    expect(await send({ ...event, receivedAt: event.receivedAt + 5_000 })).toMatchObject({
      outcome: 'ignored',
      reason: 'duplicate',
    });
    expect(await getConnector(table, chargerId, 1)).toEqual(once);
    expect(once).toMatchObject({ unavailable: true, status: 'Unavailable' });
  });

  it('connector 0 is the whole charger: its own STATUS item; its connectors only learn that it refuses sessions', async () => {
    const chargerId = await freshCharger('CP-ST-ZERO', 2);
    const connectorBefore = await getConnector(table, chargerId, 1);
    const chargerBefore = await getCharger(table, chargerId);
    expect(
      await send(at(chargerId, 1, { connectorId: 0, status: 'Faulted', errorCode: 'PowerMeterFailure' })),
    ).toMatchObject({
      outcome: 'applied',
      target: 'charger',
    });
    expect(await send(at(chargerId, 0, { connectorId: 0, status: 'Available' }))).toMatchObject({
      outcome: 'ignored',
      reason: 'older',
    });
    const { Item } = await table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.chargerStatus(chargerId),
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({
      entityType: 'ChargerStatus',
      ocppStatus: 'Faulted',
      errorCode: 'PowerMeterFailure',
    });
    expect(await getConnector(table, chargerId, 1)).toEqual({ ...connectorBefore, chargerUnavailable: true });
    expect(await getConnector(table, chargerId, 2)).toMatchObject({
      chargerUnavailable: true,
      faulted: false,
    });
    const chargerAfter = await getCharger(table, chargerId);
    expect({ ...chargerAfter, lastSeenAt: undefined, dueAt: undefined }).toEqual({
      ...chargerBefore,
      lastSeenAt: undefined,
      dueAt: undefined,
    });
  });

  it('connector 0 Unavailable or Faulted refuses new sessions on every connector (the claim condition), Available lets them again', async () => {
    const chargerId = await freshCharger('CP-ST-ZERO-CLAIM', 2);
    const claim = async (connectorId: number) => {
      const connector = await getConnector(table, chargerId, connectorId);
      if (!connector) throw new Error('no connector');
      expect(connectorAvailability(connector)).toMatchObject(
        connector.chargerUnavailable
          ? { available: false, reason: 'connector-unavailable' }
          : { available: true },
      );
      const claimWrite = connectorClaim(table.tableName, connector, randomUUID(), 'Preparing');
      return table.client.send(new TransactWriteCommand({ TransactItems: [claimWrite] })).then(
        () => 'claimed',
        (error: Error) => error.name,
      );
    };
    await send(at(chargerId, 1, { connectorId: 0, status: 'Unavailable' }));
    expect(await claim(1)).toBe('TransactionCanceledException');
    expect(await claim(2)).toBe('TransactionCanceledException');
    await send(at(chargerId, 2, { connectorId: 0, status: 'Faulted', errorCode: 'OtherError' }));
    expect(await getConnector(table, chargerId, 2)).toMatchObject({ chargerUnavailable: true });
    await send(at(chargerId, 3, { connectorId: 0, status: 'Available' }));
    expect(await getConnector(table, chargerId, 1)).toMatchObject({ chargerUnavailable: false });
    expect(await claim(1)).toBe('claimed');
    expect(await claim(2)).toBe('claimed');
  });

  it('bad input: an unregistered charger, an unknown connector, a device time over 5 minutes ahead', async () => {
    const chargerId = await freshCharger('CP-ST-BAD');
    expect(await send(at('CP-ST-NOBODY', 1))).toMatchObject({ rejected: true, field: 'chargerId' });
    expect(await send(at('CP-ST-NOBODY', 1, { connectorId: 0 }))).toMatchObject({
      rejected: true,
      field: 'chargerId',
    });
    expect(await send(at(chargerId, 1, { connectorId: 2 }))).toMatchObject({
      rejected: true,
      field: 'connectorId',
    });
    const now = Date.now();
    expect(
      await send(statusRuleEvent({ chargerId, at: iso(now + 5 * 60_000 + 1_000), receivedAt: now })),
    ).toMatchObject({
      rejected: true,
      field: 'at',
    });
  });

  it('never changes a v1 session: Available while Charging leaves the session and the plug; unplug still completes it', async () => {
    const chargerId = await freshCharger('CP-ST-V1');
    const session = await seedSession(table, { chargerId, status: 'Charging', startedAtMs: T0 });
    await send(at(chargerId, 1, { status: 'Available' }));
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      plugged: true,
      activeSessionId: session.sessionId,
      status: 'Charging',
      ocppStatus: 'Available',
    });
    const unplugged = await plug(
      plugRuleEvent({ chargerId, event: 'unplugged', at: iso(T0 + 120_000), receivedAt: T0 + 120_150 }),
      statusLambdaContext(),
    );
    expect(unplugged).toMatchObject({ outcome: 'applied', sessionUpdate: { to: 'Completed' } });
  });
});
