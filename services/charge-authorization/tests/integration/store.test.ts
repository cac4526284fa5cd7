import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadInputError, errorClassOf, TransientError } from '@evcharge/domain';
import {
  addIdTag,
  blockIdTag,
  getConnector,
  getIdTag,
  getSession,
  keys,
  registerCharger,
  type TableContext,
} from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type AuthorizeChargeRequest,
  authorizeCharge,
  expireSession,
  getAuthAttempt,
  RuleDisagreementError,
} from '../../src/store.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('authorization');
});
afterAll(async () => table.drop());

const tariff = { pricePerKwhMinor: 350, currency: 'KRW' };
const noSleep = async () => undefined;

let counter = 0;
async function chargerAndTags(tagCount: number) {
  counter += 1;
  const chargerId = `CP-REPO-${counter}`;
  await registerCharger(table, { chargerId, connectorCount: 1, now: new Date() });
  const idTags = await Promise.all(
    Array.from({ length: tagCount }, async (_, index) => {
      const idTag = `T-${counter}-${index}`;
      await addIdTag(table, { idTag, userId: `user-${idTag}` });
      return idTag;
    }),
  );
  return { chargerId, idTags };
}

function request(chargerId: string, idTag: string, receivedAtMs = Date.now()): AuthorizeChargeRequest {
  return { chargerId, requestId: randomUUID(), connectorId: 1, idTag, receivedAtMs };
}

type Send = (command: unknown) => Promise<unknown>;

/** The real client with a hook before each command: to interleave a competitor or inject an AWS-only error. */
function interceptedTable(
  hook: (command: unknown, send: Send) => Promise<unknown> | undefined,
): TableContext {
  const send: Send = (command) => table.client.send(command as never);
  const client = new Proxy(table.client, {
    get(target, property, receiver) {
      if (property === 'send') return (command: unknown) => hook(command, send) ?? send(command);
      return Reflect.get(target, property, receiver);
    },
  }) as DynamoDBDocumentClient;
  return { client, tableName: table.tableName };
}

function transactionCancelled(code: string): Error {
  return Object.assign(new Error(`Transaction cancelled [${code}]`), {
    name: 'TransactionCanceledException',
    CancellationReasons: [{ Code: code }, { Code: 'None' }],
  });
}

describe('authorizeCharge: a lost race is re-decided from fresh state', () => {
  it('a competitor that claims the connector between our read and our write turns our Accepted into connector-busy', async () => {
    const { chargerId, idTags } = await chargerAndTags(2);
    const [ours, theirs] = idTags as [string, string];
    let interleaved = false;
    let transactions = 0;
    let puts = 0;
    const racing = interceptedTable((command, send) => {
      if (command instanceof TransactWriteCommand) transactions += 1;
      if (command instanceof PutCommand) puts += 1;
      if (!(command instanceof BatchGetCommand) || interleaved) return undefined;
      interleaved = true;
      // Our read sees a free connector; the competitor commits before we write.
      return send(command).then(async (result) => {
        await authorizeCharge(table, request(chargerId, theirs), { tariff });
        return result;
      });
    });

    const { attempt } = await authorizeCharge(racing, request(chargerId, ours), { tariff, sleep: noSleep });

    expect(attempt).toMatchObject({ status: 'Unavailable', reason: 'connector-busy' });
    // The cancelled Accepted, then the rejection: its attempt alone, one PutItem.
    expect({ transactions, puts }).toEqual({ transactions: 1, puts: 1 });
    const connector = await getConnector(table, chargerId, 1);
    expect((await getSession(table, connector?.activeSessionId ?? ''))?.idTag).toBe(theirs);
    expect((await getIdTag(table, ours))?.activeSessionCount).toBe(0);
    expect((await getIdTag(table, theirs))?.activeSessionCount).toBe(1);
  });

  it('a duplicate that commits between our read and our write makes us return its decision', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    const duplicate = request(chargerId, idTags[0]!);
    let interleaved = false;
    const racing = interceptedTable((command, send) => {
      if (!(command instanceof BatchGetCommand) || interleaved) return undefined;
      interleaved = true;
      return send(command).then(async (result) => {
        await authorizeCharge(table, duplicate, { tariff });
        return result;
      });
    });

    const result = await authorizeCharge(racing, duplicate, { tariff, sleep: noSleep });

    expect(result.duplicate).toBe(true);
    expect(result.attempt).toEqual(await getAuthAttempt(table, chargerId, duplicate.requestId));
    expect((await getIdTag(table, idTags[0]!))?.activeSessionCount).toBe(1);
  });
});

describe('authorizeCharge: TransactionConflict is transient', () => {
  it('retries a conflicting transaction with back-off and then commits once', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    const sleeps: number[] = [];
    let conflictsLeft = 2;
    const conflicting = interceptedTable((command) => {
      if (!(command instanceof TransactWriteCommand) || conflictsLeft === 0) return undefined;
      conflictsLeft -= 1;
      return Promise.reject(transactionCancelled('TransactionConflict'));
    });

    const { attempt } = await authorizeCharge(conflicting, request(chargerId, idTags[0]!), {
      tariff,
      backoffBaseMs: 10,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    expect(attempt.status).toBe('Accepted');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(20);
    expect(sleeps[1]).toBeLessThanOrEqual(40);
    expect((await getIdTag(table, idTags[0]!))?.activeSessionCount).toBe(1);
  });

  it('gives up after maxAttempts with a TransientError, having written nothing', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    const conflicting = interceptedTable((command) =>
      command instanceof TransactWriteCommand
        ? Promise.reject(transactionCancelled('TransactionConflict'))
        : undefined,
    );
    const attemptRequest = request(chargerId, idTags[0]!);

    await expect(
      authorizeCharge(conflicting, attemptRequest, { tariff, maxAttempts: 4, sleep: noSleep }),
    ).rejects.toThrow(TransientError);
    expect(await getAuthAttempt(table, chargerId, attemptRequest.requestId)).toBeUndefined();
  });

  it('does not retry other errors', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    let transactions = 0;
    const failing = interceptedTable((command) => {
      if (!(command instanceof TransactWriteCommand)) return undefined;
      transactions += 1;
      return Promise.reject(Object.assign(new Error('boom'), { name: 'ValidationException' }));
    });
    await expect(authorizeCharge(failing, request(chargerId, idTags[0]!), { tariff })).rejects.toThrow(
      'boom',
    );
    expect(transactions).toBe(1);
  });
});

describe('authorizeCharge: bad input', () => {
  it('refuses an unregistered charger and writes nothing', async () => {
    const { idTags } = await chargerAndTags(1);
    const unregistered = request('CP-UNKNOWN', idTags[0]!);
    await expect(authorizeCharge(table, unregistered, { tariff })).rejects.toThrow(BadInputError);
    expect(await getAuthAttempt(table, 'CP-UNKNOWN', unregistered.requestId)).toBeUndefined();
  });
});

describe('authorizeCharge: a condition and the decision that disagree fail loudly', () => {
  /** The table, with one more rule added to the condition on one item only: the rule written twice, drifted. */
  function withStricterCondition(key: { pk: string; sk: string }, stricterRule: string) {
    let transactions = 0;
    const drifted = interceptedTable((command) => {
      if (!(command instanceof TransactWriteCommand)) return undefined;
      transactions += 1;
      for (const item of command.input.TransactItems ?? []) {
        if (item.Update?.Key?.pk === key.pk && item.Update.Key.sk === key.sk) {
          item.Update.ConditionExpression = `${item.Update.ConditionExpression} AND ${stricterRule}`;
        }
      }
      return undefined;
    });
    return { drifted, transactions: () => transactions };
  }

  // The decision accepts a tag without an expiry and a connector that never reported a reading.
  it.each([
    ['tag', 'attribute_exists(expiresAt)'],
    ['connector', 'attribute_exists(lastReadingAt)'],
  ] as const)(
    'a %s condition stricter than the decision (%s) is a bug after one transaction, writing nothing',
    async (item, stricterRule) => {
      const { chargerId, idTags } = await chargerAndTags(1);
      const idTag = idTags[0]!;
      const key = item === 'tag' ? keys.idTag(idTag) : keys.connector(chargerId, 1);
      const { drifted, transactions } = withStricterCondition(key, stricterRule);
      const attemptRequest = request(chargerId, idTag);

      const error = await authorizeCharge(drifted, attemptRequest, { tariff, sleep: noSleep }).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(RuleDisagreementError);
      expect(errorClassOf(error)).toBe('bug');
      expect(transactions()).toBe(1);
      expect(await getAuthAttempt(table, chargerId, attemptRequest.requestId)).toBeUndefined();
      expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
      expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBeUndefined();
    },
  );

  it('a tag blocked between our read and our write is a lost race: the condition refuses it and we re-decide Blocked', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    const idTag = idTags[0]!;
    let interleaved = false;
    const racing = interceptedTable((command, send) => {
      if (!(command instanceof BatchGetCommand) || interleaved) return undefined;
      interleaved = true;
      return send(command).then(async (result) => {
        await blockIdTag(table, idTag);
        return result;
      });
    });

    const { attempt } = await authorizeCharge(racing, request(chargerId, idTag), { tariff, sleep: noSleep });

    expect(attempt).toMatchObject({ status: 'Blocked', reason: 'idtag-blocked' });
    expect((await getIdTag(table, idTag))?.activeSessionCount).toBe(0);
  });
});

describe('expireSession', () => {
  it('re-reads after a lost race and skips a session that was plugged meanwhile', async () => {
    const { chargerId, idTags } = await chargerAndTags(1);
    const startedAtMs = Date.now() - 300_000;
    const { session } = await authorizeCharge(table, request(chargerId, idTags[0]!, startedAtMs), { tariff });
    const sessionId = session!.sessionId;
    let interleaved = false;
    const racing = interceptedTable((command, send) => {
      if (!(command instanceof BatchGetCommand) || interleaved) return undefined;
      interleaved = true;
      // Between the sweeper's read and its write, the session starts charging (as PLUG-EVENTS does).
      return send(command).then(async (result) => {
        await table.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table.tableName,
                  Key: { pk: `SESSION#${sessionId}`, sk: 'SESSION' },
                  UpdateExpression: 'SET #status = :charging REMOVE duePk, dueAt',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':charging': 'Charging' },
                },
              },
            ],
          }),
        );
        return result;
      });
    });

    const outcome = await expireSession(racing, sessionId, { now: new Date(), sleep: noSleep });

    expect(outcome).toEqual({ sessionId, outcome: 'skipped', reason: 'not-authorized' });
    expect((await getSession(table, sessionId))?.status).toBe('Charging');
    expect((await getIdTag(table, idTags[0]!))?.activeSessionCount).toBe(1);
    expect((await getConnector(table, chargerId, 1))?.activeSessionId).toBe(sessionId);
  });
});
