import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BootEvent, CommandRecord } from '@evcharge/domain';
import { closePendingCommand, createCommand, getCommand, keys, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chargerBootOf } from '../../src/rules.js';
import { getChargerBoot, recordBoot } from '../../src/store.js';
import {
  commandResponseEvent,
  diagnosticsStatusEvent,
  firmwareStatusEvent,
  lambdaContext,
} from '../helpers/factories.js';

// The heartbeat service's operator-facing v2 topics against DynamoDB Local, through the real handlers:
// command/response on the Command item, firmware-status and diagnostics-status on the registry record.

let table: TestTable;
type Invoke = (event: unknown) => Promise<unknown>;
let answer: Invoke;
let firmware: Invoke;
let diagnostics: Invoke;

beforeAll(async () => {
  table = await createTestTable('heartbeat-operator');
  process.env.TABLE_NAME = table.tableName;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  const commandResponse = await import('../../src/handlers/command-response.js');
  const firmwareStatus = await import('../../src/handlers/firmware-status.js');
  const diagnosticsStatus = await import('../../src/handlers/diagnostics-status.js');
  answer = (event) => commandResponse.handler(event, lambdaContext('command-response'));
  firmware = (event) => firmwareStatus.handler(event, lambdaContext('firmware-status'));
  diagnostics = (event) => diagnosticsStatus.handler(event, lambdaContext('diagnostics-status'));
});
afterAll(async () => table.drop());

let serial = 0;
async function registered(): Promise<string> {
  const chargerId = `OPS-${++serial}`;
  await registerCharger(table, { chargerId, connectorCount: 2, now: new Date('2026-11-25T00:00:00.000Z') });
  return chargerId;
}

const REQUEST = (n: number) => `7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d${String(n).padStart(2, '0')}`;
async function sentCommand(chargerId: string, n: number, overrides: Partial<CommandRecord> = {}) {
  const command: CommandRecord = {
    chargerId,
    requestId: REQUEST(n),
    action: 'GetConfiguration',
    payload: {},
    state: 'pending',
    sentAt: '2026-11-25T06:50:00.000Z',
    expiresAt: '2026-11-25T06:50:30.000Z',
    ...overrides,
  };
  await createCommand(table, command);
  return command;
}

async function chargerItem(chargerId: string) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId), ConsistentRead: true }),
  );
  return Item ?? {};
}

describe('command/response', () => {
  it('records the answer with its payload once; the same answer again changes nothing', async () => {
    const chargerId = await registered();
    await sentCommand(chargerId, 1);
    const receivedAt = Date.now();
    const payload = { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] };
    const event = commandResponseEvent(chargerId, {
      requestId: REQUEST(1),
      payload,
      at: new Date(receivedAt - 1000).toISOString(),
      receivedAt,
    });
    await expect(answer(event)).resolves.toEqual({ outcome: 'recorded', late: false });
    const answered = await getCommand(table, chargerId, REQUEST(1));
    expect(answered).toMatchObject({
      state: 'answered',
      answerStatus: 'Accepted',
      answerPayload: payload,
      answerAt: event.at,
      answerReceivedAt: new Date(receivedAt).toISOString(),
      lateAnswer: false,
    });
    // Not a sign of life: liveness is the connection's and the heartbeat's (no write on the charger item).
    expect((await chargerItem(chargerId)).lastSeenAt).toBeUndefined();

    await expect(answer({ ...event, receivedAt: receivedAt + 5 })).resolves.toEqual({ outcome: 'duplicate' });
    expect(await getCommand(table, chargerId, REQUEST(1))).toEqual(answered);
  });

  it('a late answer, after the operator timed out, is recorded and marked late', async () => {
    const chargerId = await registered();
    const command = await sentCommand(chargerId, 2, { action: 'Reset', payload: { type: 'Soft' } });
    await closePendingCommand(table, command, { state: 'timedOut', at: '2026-11-25T06:50:30.000Z' });
    await expect(answer(commandResponseEvent(chargerId, { requestId: REQUEST(2) }))).resolves.toEqual({
      outcome: 'recorded',
      late: true,
    });
    expect(await getCommand(table, chargerId, REQUEST(2))).toMatchObject({
      state: 'answered',
      answerStatus: 'Accepted',
      timedOutAt: '2026-11-25T06:50:30.000Z',
      lateAnswer: true,
    });
  });

  it('refuses, naming the field and writing nothing: an unknown requestId, another charger’s command, a second different answer, a clock far ahead', async () => {
    const chargerId = await registered();
    const other = await registered();
    await sentCommand(chargerId, 3);
    await expect(answer(commandResponseEvent(chargerId, { requestId: REQUEST(99) }))).resolves.toMatchObject({
      rejected: true,
      errorClass: 'bad-input',
      field: 'requestId',
    });
    expect(await getCommand(table, chargerId, REQUEST(99))).toBeUndefined();
    await expect(answer(commandResponseEvent(other, { requestId: REQUEST(3) }))).resolves.toMatchObject({
      field: 'requestId',
    });
    expect((await getCommand(table, chargerId, REQUEST(3)))?.state).toBe('pending');

    await answer(commandResponseEvent(chargerId, { requestId: REQUEST(3), status: 'Rejected' }));
    await expect(
      answer(commandResponseEvent(chargerId, { requestId: REQUEST(3), status: 'Accepted' })),
    ).resolves.toMatchObject({ field: 'requestId', reason: 'was already answered differently' });
    expect((await getCommand(table, chargerId, REQUEST(3)))?.answerStatus).toBe('Rejected');

    await sentCommand(chargerId, 4);
    const receivedAt = Date.now();
    const ahead = { requestId: REQUEST(4), at: new Date(receivedAt + 600_000).toISOString(), receivedAt };
    await expect(answer(commandResponseEvent(chargerId, ahead))).resolves.toMatchObject({ field: 'at' });
    await expect(answer({ ...commandResponseEvent(chargerId), status: 'Maybe' })).resolves.toMatchObject({
      field: 'status',
    });
    expect((await getCommand(table, chargerId, REQUEST(4)))?.state).toBe('pending');
  });
});

function bootEvent(chargerId: string, overrides: Partial<BootEvent> = {}): BootEvent {
  return {
    requestId: '3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c1e',
    chargePointVendor: 'Alfen BV',
    chargePointModel: 'NG920-5250',
    chargePointSerialNumber: 'ACE0123456',
    firmwareVersion: '6.1.0',
    at: '2026-11-25T02:00:00.000Z',
    chargerId,
    clientId: chargerId,
    receivedAt: Date.parse('2026-11-25T02:00:00.100Z'),
    ...overrides,
  };
}

describe('firmware-status and diagnostics-status', () => {
  it('keep the newest status of each by device time on the registry record, whatever the arrival order', async () => {
    const chargerId = await registered();
    await recordBoot(table, chargerBootOf(bootEvent(chargerId)));
    const installing = firmwareStatusEvent(chargerId, {
      messageId: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a701',
      status: 'Installing',
      at: '2026-11-25T02:50:00.000Z',
    });
    const installed = firmwareStatusEvent(chargerId); // 03:00, received first below
    await expect(firmware(installed)).resolves.toEqual({ outcome: 'recorded' });
    await expect(firmware(installing)).resolves.toEqual({ outcome: 'outdated' });
    await expect(firmware(installed)).resolves.toEqual({ outcome: 'outdated' });
    await expect(diagnostics(diagnosticsStatusEvent(chargerId))).resolves.toEqual({ outcome: 'recorded' });

    expect(await getChargerBoot(table, chargerId)).toMatchObject({
      chargePointVendor: 'Alfen BV',
      firmwareStatus: 'Installed',
      firmwareStatusAt: '2026-11-25T03:00:00.000Z',
      firmwareStatusMessageId: installed.messageId,
      diagnosticsStatus: 'Uploaded',
      diagnosticsStatusAt: '2026-11-25T03:10:00.000Z',
    });
    const charger = await chargerItem(chargerId);
    expect(charger).not.toHaveProperty('firmwareStatus');
    expect(charger).not.toHaveProperty('diagnosticsStatus');
  });

  it('a later boot replaces the boot report (fields it lacks are removed) and keeps the statuses', async () => {
    const chargerId = await registered();
    await recordBoot(table, chargerBootOf(bootEvent(chargerId)));
    await firmware(firmwareStatusEvent(chargerId));
    const { chargePointSerialNumber: _, ...withoutSerial } = bootEvent(chargerId, {
      requestId: '3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c2f',
      firmwareVersion: '6.2.0',
      at: '2026-11-25T03:05:00.000Z',
      receivedAt: Date.parse('2026-11-25T03:05:00.100Z'),
    });
    await expect(recordBoot(table, chargerBootOf(withoutSerial))).resolves.toMatchObject({
      outcome: 'recorded',
    });
    const record = await getChargerBoot(table, chargerId);
    expect(record).toMatchObject({
      firmwareVersion: '6.2.0',
      lastBootAt: '2026-11-25T03:05:00.000Z',
      bootAnswerStatus: 'Accepted',
      firmwareStatus: 'Installed',
    });
    expect(record).not.toHaveProperty('chargePointSerialNumber');
  });

  it('refuse a charger that never booted (or is not registered), naming chargerId and writing nothing', async () => {
    const chargerId = await registered();
    await expect(firmware(firmwareStatusEvent(chargerId))).resolves.toMatchObject({
      rejected: true,
      field: 'chargerId',
      reason: 'has not booted: send boot first',
    });
    expect(await getChargerBoot(table, chargerId)).toBeUndefined();
    // An unregistered charger has no registry record either: the same classified refusal, nothing written.
    await expect(diagnostics(diagnosticsStatusEvent('OPS-GHOST'))).resolves.toMatchObject({
      field: 'chargerId',
      reason: 'has not booted: send boot first',
    });
    expect(await getChargerBoot(table, 'OPS-GHOST')).toBeUndefined();
    await expect(firmware({ ...firmwareStatusEvent(chargerId), status: 'Exploded' })).resolves.toMatchObject({
      field: 'status',
    });
  });
});

describe('boot answer status on the registry record', () => {
  it('records Pending while the charger waits for commissioning (what charger.pending is derived from)', async () => {
    const chargerId = `OPS-P-${++serial}`;
    await registerCharger(table, {
      chargerId,
      connectorCount: 1,
      pending: true,
      now: new Date('2026-11-25T00:00:00.000Z'),
    });
    await recordBoot(table, chargerBootOf(bootEvent(chargerId)));
    expect((await getChargerBoot(table, chargerId))?.bootAnswerStatus).toBe('Pending');
  });
});
