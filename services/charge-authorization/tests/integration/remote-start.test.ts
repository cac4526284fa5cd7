import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  chargerTopic,
  type PendingRemoteStart,
  transactionStartResponsePayloadSchema,
} from '@evcharge/domain';
import { addIdTag, entities, getSession, itemOf, keys, registerCharger } from '@evcharge/dynamo';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext, transactionStartEvent, useServiceEnv } from '../helpers/factories.js';

// A remote start from the app (metering records the PendingRemoteStart) answered by the charger's
// transaction/start: the session it opens carries the request's requestId, so its session.authorized does.
let table: TestTable;
let iotDataPlane: IotDataPlaneRecorder;
let startHandler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  iotDataPlane = await startIotDataPlaneRecorder();
  table = await createTestTable('charge-authorization-remote-start');
  useServiceEnv(table.tableName, iotDataPlane.endpoint);
  const start = await import('../../src/handlers/transaction-start.js');
  startHandler = (event) => start.handler(event, lambdaContext('transaction-start'));
});

afterAll(async () => {
  await table.drop();
  await iotDataPlane.close();
});

let counter = 0;
async function fresh(): Promise<{ chargerId: string; idTag: string }> {
  counter += 1;
  const chargerId = `CP-RS-${counter}`;
  const idTag = `RSTAG-${counter}`;
  await registerCharger(table, { chargerId, connectorCount: 2, now: new Date('2026-11-25T06:00:00.000Z') });
  await addIdTag(table, { idTag, userId: `user-${idTag}`, maxConcurrent: 2 });
  return { chargerId, idTag };
}

async function seedPendingStart(pending: PendingRemoteStart) {
  await table.client.send(
    new PutCommand({ TableName: table.tableName, Item: itemOf(entities.pendingRemoteStart, pending) }),
  );
}

const pendingOf = async (chargerId: string, idTag: string, connectorId = 1) =>
  (
    await table.client.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.pendingRemoteStart(chargerId, connectorId, idTag),
      }),
    )
  ).Item;

async function start(event: ReturnType<typeof transactionStartEvent>): Promise<string | undefined> {
  await startHandler(event);
  const answer = iotDataPlane
    .publishesTo(chargerTopic('transactionStartResponse', event.chargerId))
    .map((publish) => transactionStartResponsePayloadSchema.parse(publish.payload))
    .find((payload) => payload.requestId === event.requestId);
  return answer?.sessionId;
}

function pendingStart(chargerId: string, idTag: string, overrides: Partial<PendingRemoteStart> = {}) {
  const now = Date.now();
  return {
    chargerId,
    connectorId: 1,
    idTag,
    requestId: randomUUID(),
    requestedAt: new Date(now - 1000).toISOString(),
    attachUntil: new Date(now + 150_000).toISOString(),
    ...overrides,
  };
}

describe('transaction/start answering a remote start', () => {
  it('opens the session with the remote start’s requestId and marks the pending start taken', async () => {
    const { chargerId, idTag } = await fresh();
    const pending = pendingStart(chargerId, idTag);
    await seedPendingStart(pending);

    const sessionId = await start(transactionStartEvent({ chargerId, idTag }));

    expect(await getSession(table, sessionId!)).toMatchObject({
      status: 'Charging',
      remoteStartRequestId: pending.requestId,
    });
    expect(await pendingOf(chargerId, idTag)).toMatchObject({ requestId: pending.requestId, sessionId });
  });

  it('credits a remote start once: the next start on that connector and tag carries no requestId', async () => {
    const { chargerId, idTag } = await fresh();
    await seedPendingStart(pendingStart(chargerId, idTag));
    const first = await start(transactionStartEvent({ chargerId, idTag, connectorId: 1 }));
    expect((await getSession(table, first!))?.remoteStartRequestId).toBeDefined();
    // The session ends (connector released) and the driver starts again by RFID.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.connector(chargerId, 1),
        UpdateExpression: 'REMOVE activeSessionId',
      }),
    );
    const second = await start(
      transactionStartEvent({ chargerId, idTag, connectorId: 1, receivedAt: Date.now() + 1 }),
    );
    expect(second).toBeDefined();
    expect(await getSession(table, second!)).not.toHaveProperty('remoteStartRequestId');
  });

  it('carries nothing for a start received after the attach window, or on another connector or tag', async () => {
    const { chargerId, idTag } = await fresh();
    await seedPendingStart(
      pendingStart(chargerId, idTag, { attachUntil: new Date(Date.now() - 1000).toISOString() }),
    );
    const late = await start(transactionStartEvent({ chargerId, idTag, connectorId: 1 }));
    expect(await getSession(table, late!)).not.toHaveProperty('remoteStartRequestId');
    expect(await pendingOf(chargerId, idTag)).not.toHaveProperty('sessionId');

    const other = await fresh();
    await seedPendingStart(pendingStart(other.chargerId, other.idTag, { connectorId: 2 }));
    const elsewhere = await start(
      transactionStartEvent({ chargerId: other.chargerId, idTag: other.idTag, connectorId: 1 }),
    );
    expect(await getSession(table, elsewhere!)).not.toHaveProperty('remoteStartRequestId');
  });

  it('a repeated start answers the same session and takes nothing more', async () => {
    const { chargerId, idTag } = await fresh();
    const pending = pendingStart(chargerId, idTag);
    await seedPendingStart(pending);
    const event = transactionStartEvent({ chargerId, idTag });
    const first = await start(event);
    const taken = await pendingOf(chargerId, idTag);
    await startHandler(event);
    expect(await pendingOf(chargerId, idTag)).toEqual(taken);
    expect((await getSession(table, first!))?.remoteStartRequestId).toBe(pending.requestId);
  });
});
