import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CommandRecord } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { itemOf } from '../entity.js';
import { entityOf, type TableContext } from '../table-context.js';
import { isConditionalCheckFailed } from '../transactions.js';

// The operator CLI's side of a Command item: written before it is published, read while the operator
// waits, closed as timed out or failed. The charger's answer is recorded by the heartbeat service.

/** Writes a new command (`pending`); a requestId is never reused, so an existing item is a bug. */
export async function createCommand(table: TableContext, command: CommandRecord): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: itemOf(entities.command, command),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getCommand(
  table: TableContext,
  chargerId: string,
  requestId: string,
): Promise<CommandRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.command(chargerId, requestId),
      ConsistentRead: true,
    }),
  );
  return Item ? entityOf<CommandRecord>(Item) : undefined;
}

/**
 * Ends a command that is still `pending`: `timedOut` (the operator's wait ended) or `failed` (it could not
 * be published). Returns the command as it is afterwards: an answer that landed first is kept, not replaced.
 */
export async function closePendingCommand(
  table: TableContext,
  command: Pick<CommandRecord, 'chargerId' | 'requestId'>,
  closing: { state: 'timedOut'; at: string } | { state: 'failed'; failure: string },
): Promise<CommandRecord> {
  const key = keys.command(command.chargerId, command.requestId);
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression:
          closing.state === 'timedOut'
            ? 'SET #state = :closed, timedOutAt = :detail'
            : 'SET #state = :closed, failure = :detail',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':closed': closing.state,
          ':pending': 'pending',
          ':detail': closing.state === 'timedOut' ? closing.at : closing.failure,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return entityOf<CommandRecord>(Attributes ?? {});
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const stored = await getCommand(table, command.chargerId, command.requestId);
    if (!stored) throw new Error(`command ${command.requestId} of ${command.chargerId} is not in the table`);
    return stored;
  }
}
