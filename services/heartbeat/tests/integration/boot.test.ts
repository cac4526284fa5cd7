import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BadInputError, type BootEvent } from '@evcharge/domain';
import { keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootAnswer, chargerBootOf } from '../../src/rules.js';
import { getChargerBoot, recordBoot } from '../../src/store.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('heartbeat-boot');
});
afterAll(async () => table.drop());

let serial = 0;
async function registered(): Promise<string> {
  const chargerId = `BOOT-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 2, now: new Date('2026-11-25T00:00:00.000Z') });
  return chargerId;
}

function bootEvent(chargerId: string, at: string, receivedAt: number, firmwareVersion: string): BootEvent {
  return {
    requestId: `3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c${String(receivedAt % 100).padStart(2, '0')}`,
    chargePointVendor: 'Alfen BV',
    chargePointModel: 'NG920-5250',
    firmwareVersion,
    at,
    chargerId,
    clientId: chargerId,
    receivedAt,
  };
}

describe('recordBoot', () => {
  it('keeps the newest boot by device time, whatever order the boots arrive in', async () => {
    const chargerId = await registered();
    const newer = bootEvent(
      chargerId,
      '2026-11-25T06:30:00.000Z',
      Date.parse('2026-11-25T06:30:00.100Z'),
      '6.2',
    );
    const older = bootEvent(
      chargerId,
      '2026-11-25T06:00:00.000Z',
      Date.parse('2026-11-25T06:35:00.000Z'),
      '6.1',
    );

    await expect(recordBoot(table, chargerBootOf(newer))).resolves.toMatchObject({ outcome: 'recorded' });
    await expect(recordBoot(table, chargerBootOf(older))).resolves.toMatchObject({ outcome: 'outdated' });
    await expect(recordBoot(table, chargerBootOf(newer))).resolves.toMatchObject({ outcome: 'outdated' });

    expect(await getChargerBoot(table, chargerId)).toMatchObject({
      firmwareVersion: '6.2',
      lastBootAt: '2026-11-25T06:30:00.000Z',
      bootRequestId: newer.requestId,
    });
  });

  it('refuses a charger that is not registered as bad input, writing nothing', async () => {
    const event = bootEvent(
      'BOOT-GHOST',
      '2026-11-25T06:30:00.000Z',
      Date.parse('2026-11-25T06:30:00.100Z'),
      '1',
    );
    await expect(recordBoot(table, chargerBootOf(event))).rejects.toThrow(BadInputError);
    expect(await getChargerBoot(table, 'BOOT-GHOST')).toBeUndefined();
  });

  it('answers Pending while the charger waits for commissioning, and with its own interval', async () => {
    const chargerId = await registered();
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.charger(chargerId),
        UpdateExpression: 'SET registrationStatus = :pending, heartbeatIntervalS = :interval',
        ExpressionAttributeValues: { ':pending': 'Pending', ':interval': 60 },
      }),
    );
    const event = bootEvent(
      chargerId,
      '2026-11-25T06:30:00.000Z',
      Date.parse('2026-11-25T06:30:00.100Z'),
      '1',
    );
    const { charger } = await recordBoot(table, chargerBootOf(event));
    const now = new Date('2026-11-25T06:30:00.200Z');
    expect(bootAnswer(charger, event, 900, now)).toEqual({
      requestId: event.requestId,
      status: 'Pending',
      currentTime: now.toISOString(),
      interval: 60,
      meterValueSampleInterval: 900,
      at: now.toISOString(),
    });
  });
});
