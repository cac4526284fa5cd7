import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { failureOf, listDeadLetters, redrive } from '@evcharge/operations';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

// The operations the ops console runs on a service's dead-letter queue: a listing (received, never deleted) and a
// redrive of the letters an operator chose, which leaves every other letter visible at once.

const sqsMock = mockClient(SQSClient);
const queueUrl = 'https://sqs.local/000000000000/heartbeat-local-dead-letters';
const letter = (id: string, functionName: string) => ({
  MessageId: id,
  ReceiptHandle: `receipt-${id}`,
  Body: JSON.stringify({
    functionName,
    errorClass: 'bad-input',
    field: 'at',
    reason: 'Invalid ISO datetime',
    payload: { chargerId: 'CP-1', at: 'yesterday' },
    attempts: 1,
    firstFailureAt: '2026-12-07T00:00:00.000Z',
    lastFailureAt: '2026-12-07T00:00:00.000Z',
  }),
  Attributes: { SentTimestamp: String(Date.parse('2026-12-07T00:00:00.000Z')) },
});

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: queueUrl });
  sqsMock
    .on(ReceiveMessageCommand)
    .resolvesOnce({
      Messages: [letter('m-1', 'heartbeat-local-heartbeat'), letter('m-2', 'heartbeat-local-boot')],
    })
    .resolves({ Messages: [] });
});

describe('listDeadLetters', () => {
  it('lists each letter with its class, field and reason, receiving with a 2 s visibility and deleting none', async () => {
    const letters = await listDeadLetters({
      sqs: new SQSClient({}),
      services: ['heartbeat'],
      stage: 'local',
    });
    expect(letters).toEqual([
      expect.objectContaining({
        queue: 'heartbeat-local-dead-letters',
        messageId: 'm-1',
        replay: 'invoke',
        target: 'heartbeat-local-heartbeat',
        errorClass: 'bad-input',
        field: 'at',
        reason: 'Invalid ISO datetime',
        attempts: 1,
      }),
      expect.objectContaining({ messageId: 'm-2', target: 'heartbeat-local-boot' }),
    ]);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.VisibilityTimeout).toBe(2);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

describe('redrive with a selection', () => {
  it('replays only the chosen letter and makes the others visible again at once', async () => {
    sqsMock.on(DeleteMessageCommand).resolves({});
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    const invoked: string[] = [];
    const report = await redrive({
      sqs: new SQSClient({}),
      invoke: async (functionName) => {
        invoked.push(functionName);
        return { payload: { ok: true } };
      },
      services: ['heartbeat'],
      stage: 'local',
      messageIds: ['m-2'],
      dryRun: false,
      io: { out: () => undefined, err: () => undefined },
    });
    expect(invoked).toEqual(['heartbeat-local-boot']);
    expect(report).toMatchObject({ examined: 1, replayed: 1, skipped: 1 });
    expect(
      sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle),
    ).toEqual(['receipt-m-2']);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: queueUrl, ReceiptHandle: 'receipt-m-1', VisibilityTimeout: 0 },
    ]);
  });
});

describe('failureOf', () => {
  it('reads the failure of each kind of letter', () => {
    expect(failureOf('not json')).toEqual({ reason: 'body is not JSON' });
    expect(
      failureOf(
        JSON.stringify({
          requestContext: {
            functionArn: 'arn:aws:lambda:us-east-1:1:function:f',
            condition: 'RetriesExhausted',
          },
          responsePayload: { errorType: 'TimeoutError', errorMessage: 'Task timed out' },
        }),
      ),
    ).toEqual({ errorClass: 'transient', reason: 'TimeoutError: Task timed out' });
    expect(
      failureOf(JSON.stringify({ requestContext: { functionArn: 'x', condition: 'RetriesExhausted' } })),
    ).toEqual({ reason: 'RetriesExhausted' });
    expect(
      failureOf(JSON.stringify({ topic: 'chargers/CP-1/meter', failures: [{ errorMessage: 'throttled' }] })),
    ).toEqual({ reason: 'throttled' });
  });
});
