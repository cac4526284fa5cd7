import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '@evcharge/domain';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FailedCondition, type TableContext, transact } from '../../src/index.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('transactions');
});
afterAll(async () => table.drop());

/** The table, with every command's name recorded and `hook` able to answer a command instead of DynamoDB. */
function recordingTable(hook: (command: unknown) => Promise<unknown> | undefined = () => undefined) {
  const sent: string[] = [];
  const client = new Proxy(table.client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return hook(command) ?? table.client.send(command as never);
      };
    },
  }) as DynamoDBDocumentClient;
  return { context: { client, tableName: table.tableName } satisfies TableContext, sent };
}

const counter = (pk: string, count: number) => ({
  Put: { TableName: table.tableName, Item: { pk, sk: 'COUNTER', count, tags: new Set(['a', 'b']) } },
});

const countUp = (pk: string, below: number) => ({
  Update: {
    TableName: table.tableName,
    Key: { pk, sk: 'COUNTER' },
    UpdateExpression: 'SET #count = #count + :one',
    ConditionExpression: '#count < :below',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':one': 1, ':below': below },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

describe('transact', () => {
  it('writes one item as a plain conditional write and several as one transaction', async () => {
    const { context, sent } = recordingTable();
    await transact(context, 'seed', () => ({ items: [counter('T#single', 0)], result: 'put' }));
    await transact(context, 'count', () => ({ items: [countUp('T#single', 5)], result: 'updated' }));
    await transact(context, 'pair', () => ({
      items: [countUp('T#single', 5), counter('T#other', 0)],
      result: 'both',
    }));
    expect(sent).toEqual([PutCommand.name, UpdateCommand.name, TransactWriteCommand.name]);
  });

  it('hands a failed condition the item as it stood, unmarshalled, at its position', async () => {
    await transact(table, 'seed', () => ({ items: [counter('T#full', 3)], result: undefined }));
    const seen: FailedCondition[][] = [];
    const single = await transact(table, 'single', () => ({
      items: [countUp('T#full', 3)],
      result: 'counted',
      conditionFailed: (failed) => {
        seen.push(failed);
        return { done: 'full' };
      },
    }));
    const paired = await transact(table, 'paired', () => ({
      items: [counter('T#fresh', 0), countUp('T#full', 3)],
      result: 'counted',
      conditionFailed: (failed) => {
        seen.push(failed);
        return { done: 'full' };
      },
    }));
    expect([single, paired]).toEqual(['full', 'full']);
    const stood = { pk: 'T#full', sk: 'COUNTER', count: 3, tags: new Set(['a', 'b']) };
    expect(seen).toEqual([[{ index: 0, item: stood }], [{ index: 1, item: stood }]]);
  });

  it('re-runs the step against fresh state when a condition fails, then answers what that state gives', async () => {
    await transact(table, 'seed', () => ({ items: [counter('T#race', 0)], result: undefined }));
    let raced = false;
    const attempts: number[] = [];
    const result = await transact(table, 'count to 1', async (attempt) => {
      attempts.push(attempt);
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: { pk: 'T#race', sk: 'COUNTER' },
          ConsistentRead: true,
        }),
      );
      if ((Item?.count as number) >= 1) return { done: 'someone else counted' };
      if (!raced) {
        raced = true; // a concurrent writer counts between this read and the write below
        await table.client.send(new UpdateCommand(countUp('T#race', 1).Update));
      }
      return { items: [countUp('T#race', 1)], result: 'counted' };
    });
    expect(result).toBe('someone else counted');
    expect(attempts).toEqual([1, 2]);
  });

  it('backs off after a conflict and gives up with a TransientError naming the work', async () => {
    const sleeps: number[] = [];
    const conflict = Object.assign(new Error('Transaction cancelled [TransactionConflict]'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });
    const { context } = recordingTable((command) =>
      command instanceof TransactWriteCommand ? Promise.reject(conflict) : undefined,
    );
    const attempt = transact(
      context,
      'the conflicted pair',
      () => ({ items: [counter('T#c1', 0), counter('T#c2', 0)], result: 'never' }),
      { maxAttempts: 3, backoffBaseMs: 10, sleep: async (ms) => void sleeps.push(ms) },
    );
    await expect(attempt).rejects.toThrow(TransientError);
    await expect(attempt).rejects.toThrow('the conflicted pair still racing after 3 attempts');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(20);
    expect(sleeps[1]).toBeLessThanOrEqual(40);
  });

  it('rethrows what is neither a failed condition nor a conflict', async () => {
    const { context } = recordingTable(() =>
      Promise.reject(new Error('ValidationException: bad expression')),
    );
    await expect(
      transact(context, 'invalid', () => ({ items: [counter('T#bad', 0)], result: 'never' })),
    ).rejects.toThrow('bad expression');
  });
});
