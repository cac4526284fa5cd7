import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommandRecord } from '@evcharge/domain';
import { closePendingCommand, createCommand, entities, itemOf, keys } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { putItems } from '../helpers/charger-day.js';
import { lambdaContext, streamEvent } from '../helpers/factories.js';
import { type FakeSns, startFakeSns } from '../helpers/fake-sns.js';
import { openTableStream, type TableStreamReader } from '../helpers/table-stream.js';

// The operator kinds of contract v2 from real stream records (DynamoDB Local) through the real handler: one
// notification per state change, also when every record is delivered twice and the batch replayed.

let table: TestTable;
let sns: FakeSns;
let stream: TableStreamReader;
let handler: typeof import('../../src/handlers/notify.js').handler;

beforeAll(async () => {
  table = await createTestTable('operator-notify');
  sns = await startFakeSns();
  process.env.TABLE_NAME = table.tableName;
  process.env.NOTIFICATIONS_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:ev-charging-notifications-test';
  process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
  delete process.env.DEAD_LETTER_QUEUE_URL;
  ({ handler } = await import('../../src/handlers/notify.js'));
  stream = await openTableStream(table.tableName);
});
afterAll(async () => {
  stream.close();
  await sns.close();
  await table.drop();
});

describe('operator notifications from committed changes', () => {
  it('charger.pending, transaction.orphan and command.result (timeout, then the late answer): once each', async () => {
    const boot = {
      ...itemOf(entities.chargerBoot, {
        chargerId: 'CP-OPS',
        chargePointVendor: 'Alfen BV',
        chargePointModel: 'NG920-5250',
        lastBootAt: '2026-11-25T06:30:00.000Z',
        lastBootReceivedAt: Date.parse('2026-11-25T06:30:00.100Z'),
        bootRequestId: '3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c1e',
        bootAnswerStatus: 'Pending',
      }),
    };
    // A re-boot while still Pending, and a firmware status on the record: no new notification.
    const reboot = {
      ...boot,
      lastBootAt: '2026-11-25T06:35:00.000Z',
      bootRequestId: '3d5a7c2e-1f4b-4e8a-9c6d-0b2e4f6a8c2f',
    };
    const withFirmware = {
      ...reboot,
      firmwareStatus: 'Downloading',
      firmwareStatusAt: '2026-11-25T06:36:00.000Z',
    };
    const orphan = {
      ...itemOf(entities.orphanTransactionStop, {
        chargerId: 'CP-OPS',
        transactionId: 77,
        requestId: '2b3c4d5e-6f70-4a1b-8c2d-3e4f5a6b7c8d',
        meterStop: 1_245_000,
        at: '2026-11-25T07:31:00.000Z',
        reason: 'Local',
        receivedAt: Date.parse('2026-11-25T07:31:00.200Z'),
      }),
    };
    await putItems(table, boot, reboot, withFirmware, orphan);

    const command: CommandRecord = {
      chargerId: 'CP-OPS',
      requestId: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      action: 'Reset',
      payload: { type: 'Hard' },
      state: 'pending',
      sentAt: '2026-11-25T06:50:00.000Z',
      expiresAt: '2026-11-25T06:50:30.000Z',
    };
    await createCommand(table, command);
    await closePendingCommand(table, command, { state: 'timedOut', at: '2026-11-25T06:50:30.000Z' });
    // The late answer, as the heartbeat service's command-response writes it.
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.command(command.chargerId, command.requestId),
        UpdateExpression:
          'SET #state = :answered, answerStatus = :status, answerAt = :at, answerReceivedAt = :receivedAt, lateAnswer = :late',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':answered': 'answered',
          ':status': 'Accepted',
          ':at': '2026-11-25T06:50:40.000Z',
          ':receivedAt': '2026-11-25T06:50:40.100Z',
          ':late': true,
        },
      }),
    );

    const records = await stream.readNew({ atLeast: 7 });
    expect(records).toHaveLength(7);
    // Every record delivered twice in one batch, then the whole batch replayed.
    const doubled = records.flatMap((record) => [record, record]);
    await expect(handler(streamEvent(doubled), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
    await expect(handler(streamEvent(doubled), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });

    const sent = sns.published.map(({ message }) => ({
      kind: message.kind,
      audience: message.audience,
      data: message.data,
    }));
    expect(sent).toEqual([
      {
        kind: 'charger.pending',
        audience: 'operator',
        data: { chargePointVendor: 'Alfen BV', chargePointModel: 'NG920-5250' },
      },
      {
        kind: 'transaction.orphan',
        audience: 'operator',
        data: { transactionId: 77, meterStop: 1_245_000, reason: 'Local' },
      },
      {
        kind: 'command.result',
        audience: 'operator',
        data: { requestId: command.requestId, action: 'Reset', outcome: 'timeout' },
      },
      {
        kind: 'command.result',
        audience: 'operator',
        data: {
          requestId: command.requestId,
          action: 'Reset',
          outcome: 'answered',
          status: 'Accepted',
          late: true,
        },
      },
    ]);
    expect(sns.published.every(({ attributes }) => attributes.audience?.stringValue === 'operator')).toBe(
      true,
    );
  });
});
