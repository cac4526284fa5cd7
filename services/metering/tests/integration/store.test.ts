import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterRequest, Session } from '@evcharge/domain';
import {
  createMeterRequest,
  getMeterRequest,
  getSession,
  keys,
  queryDueItems,
  sessionItem,
} from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  answerMeterRequest,
  resolveMeterRequestUnavailable,
  type SessionMeterUpdate,
  updateSessionMeter,
} from '../../src/store.js';

// The metering store's conditional writes: optimistic session updates and once-only resolutions.

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('metering-store');
});

afterAll(async () => {
  await table.drop();
});

async function seedSession(): Promise<Session> {
  const session: Session = {
    sessionId: randomUUID(),
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'alice',
    idTag: 'TAG-1',
    status: 'Charging',
    startedAt: '2026-11-25T06:00:00.000Z',
    energyStartWh: 10_000,
    latestRegisterWh: 11_000,
    lastReadingAt: '2026-11-25T06:15:00.000Z',
    energyWh: 1000,
    costMinor: 350,
    pricePerKwhMinor: 350,
    currency: 'KRW',
  };
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: sessionItem(session),
    }),
  );
  return session;
}

const moveTo = (session: Session, registerWh: number, at: string): SessionMeterUpdate => ({
  sessionId: session.sessionId,
  expected: {
    energyStartWh: session.energyStartWh,
    latestRegisterWh: session.latestRegisterWh,
    lastReadingAt: session.lastReadingAt,
  },
  next: { energyStartWh: session.energyStartWh, latestRegisterWh: registerWh, lastReadingAt: at },
  totals: {
    energyWh: registerWh - 10_000,
    costMinor: Math.floor(((registerWh - 10_000) * 350 + 500) / 1000),
  },
});

async function pendingRequest(session: Session, dueAtMs: number): Promise<MeterRequest> {
  const request: MeterRequest = {
    requestId: randomUUID(),
    sessionId: session.sessionId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    userId: session.userId,
    status: 'pending',
    requestedAt: '2026-11-25T06:20:00.000Z',
  };
  await createMeterRequest(table, request, dueAtMs);
  return request;
}

describe('updateSessionMeter', () => {
  it('applies against the state it was computed from, and refuses a stale one', async () => {
    const session = await seedSession();
    const first = moveTo(session, 12_000, '2026-11-25T06:30:00.000Z');
    await expect(updateSessionMeter(table, first)).resolves.toBe(true);
    // Computed from the same (now stale) state: a concurrent reading won; nothing is overwritten.
    await expect(
      updateSessionMeter(table, moveTo(session, 11_500, '2026-11-25T06:20:00.000Z')),
    ).resolves.toBe(false);
    expect(await getSession(table, session.sessionId)).toMatchObject({
      latestRegisterWh: 12_000,
      energyWh: 2000,
    });
  });

  it('refuses a session that does not exist', async () => {
    const ghost = { ...(await seedSession()), sessionId: randomUUID() };
    await expect(updateSessionMeter(table, moveTo(ghost, 12_000, '2026-11-25T06:30:00.000Z'))).resolves.toBe(
      false,
    );
    expect(await getSession(table, ghost.sessionId)).toBeUndefined();
  });
});

describe('meter requests', () => {
  const resolution = (session: Session, request: MeterRequest, status: 'answered' | 'unavailable') => ({
    sessionId: session.sessionId,
    requestId: request.requestId,
    status,
    resolvedAt: '2026-11-25T06:21:00.000Z',
    energyWh: 1000,
    costMinor: 350,
    currency: 'KRW',
  });

  it('arms the deadline on the sparse index and disarms it on resolution', async () => {
    const session = await seedSession();
    const dueAt = Date.parse('2026-11-25T06:20:30.000Z');
    const request = await pendingRequest(session, dueAt);
    const isDue = async (nowMs: number) =>
      (await queryDueItems(table, 'meter-request', nowMs)).items.some(
        (item) => item.sk === keys.meterRequest(session.sessionId, request.requestId).sk,
      );
    expect(await isDue(dueAt - 1)).toBe(false);
    expect(await isDue(dueAt)).toBe(true);
    await expect(
      resolveMeterRequestUnavailable(table, resolution(session, request, 'unavailable')),
    ).resolves.toBe(true);
    expect(await isDue(dueAt)).toBe(false);
    await expect(
      resolveMeterRequestUnavailable(table, resolution(session, request, 'unavailable')),
    ).resolves.toBe(false);
  });

  it('answers a pending request together with the session update', async () => {
    const session = await seedSession();
    const request = await pendingRequest(session, Date.now() + 30_000);
    const update = moveTo(session, 11_400, '2026-11-25T06:20:05.000Z');
    await expect(
      answerMeterRequest(table, { ...resolution(session, request, 'answered'), energyWh: 1400 }, update),
    ).resolves.toBe('answered');
    expect(await getMeterRequest(table, session.sessionId, request.requestId)).toMatchObject({
      status: 'answered',
      energyWh: 1400,
    });
    expect((await getSession(table, session.sessionId))?.latestRegisterWh).toBe(11_400);
  });

  it('commits nothing when the session changed meanwhile, and nothing twice', async () => {
    const session = await seedSession();
    const request = await pendingRequest(session, Date.now() + 30_000);
    await updateSessionMeter(table, moveTo(session, 12_000, '2026-11-25T06:30:00.000Z'));
    const stale = moveTo(session, 11_400, '2026-11-25T06:20:05.000Z');
    await expect(answerMeterRequest(table, resolution(session, request, 'answered'), stale)).resolves.toBe(
      'session-changed',
    );
    expect((await getMeterRequest(table, session.sessionId, request.requestId))?.status).toBe('pending');

    await resolveMeterRequestUnavailable(table, resolution(session, request, 'unavailable'));
    await expect(answerMeterRequest(table, resolution(session, request, 'answered'))).resolves.toBe(
      'not-pending',
    );
    expect((await getMeterRequest(table, session.sessionId, request.requestId))?.status).toBe('unavailable');
  });
});
