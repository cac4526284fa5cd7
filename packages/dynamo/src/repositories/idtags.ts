import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type IdTagRecord, NotFoundError } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { GSI1 } from '../keys.js';
import { entityOf, type TableContext } from '../table-context.js';
import { isConditionalCheckFailed } from '../transactions.js';

export interface AddIdTagInput {
  idTag: string;
  userId: string;
  expiresAt?: string;
  maxConcurrent?: number;
}

/** Adds or re-enables a tag. The live active-session count is never reset by an operator edit. */
export async function addIdTag(table: TableContext, input: AddIdTagInput): Promise<IdTagRecord> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.idTag(input.idTag),
      UpdateExpression:
        [
          'SET entityType = :entityType, idTag = :idTag, userId = :userId, #status = :accepted',
          'maxConcurrent = :maxConcurrent, activeSessionCount = if_not_exists(activeSessionCount, :zero)',
          'gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ].join(', ') + (input.expiresAt ? ', expiresAt = :expiresAt' : ' REMOVE expiresAt'),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entityType': entities.idTag.entityType,
        ':idTag': input.idTag,
        ':userId': input.userId,
        ':accepted': 'Accepted',
        ':maxConcurrent': input.maxConcurrent ?? 1,
        ':zero': 0,
        ...Object.fromEntries(
          Object.entries(keys.idTagList(input.idTag)).map(([name, value]) => [`:${name}`, value]),
        ),
        ...(input.expiresAt ? { ':expiresAt': input.expiresAt } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return entityOf<IdTagRecord>(Attributes ?? {});
}

export async function blockIdTag(table: TableContext, idTag: string): Promise<IdTagRecord> {
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.idTag(idTag),
        UpdateExpression: 'SET #status = :blocked',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':blocked': 'Blocked' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return entityOf<IdTagRecord>(Attributes ?? {});
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`idTag ${idTag} is not registered`);
    throw error;
  }
}

export async function getIdTag(table: TableContext, idTag: string): Promise<IdTagRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.idTag(idTag) }),
  );
  return Item ? entityOf<IdTagRecord>(Item) : undefined;
}

export async function listIdTags(table: TableContext): Promise<IdTagRecord[]> {
  const tags: IdTagRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :list',
        ExpressionAttributeValues: { ':list': keys.idTagList('').gsi1pk },
        ExclusiveStartKey: startKey,
      }),
    );
    tags.push(...(page.Items ?? []).map((item) => entityOf<IdTagRecord>(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return tags;
}

/**
 * The one way a session gives back its tag's count, inside the transaction that ends it (expiry, completion):
 * the count never goes below 0.
 */
export function tagSessionCountDown(tableName: string, idTag: string) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.idTag(idTag),
      UpdateExpression: 'SET activeSessionCount = activeSessionCount - :one',
      ConditionExpression: 'activeSessionCount > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  };
}

/**
 * The one way a new session counts against its tag: only while the tag is in one of `startingStatuses` (the
 * caller's rule, so decision and condition share one list), below its limit and not expired at `now`. The
 * old item comes back when it fails, so a caller can tell a lost race from a rule disagreement.
 */
export function tagSessionCountUp(
  tableName: string,
  idTag: string,
  now: Date,
  startingStatuses: readonly IdTagRecord['status'][],
) {
  const statusValues = Object.fromEntries(
    startingStatuses.map((status, index) => [`:startingStatus${index}`, status]),
  );
  return {
    Update: {
      TableName: tableName,
      Key: keys.idTag(idTag),
      UpdateExpression: 'SET activeSessionCount = activeSessionCount + :one',
      ConditionExpression: [
        `#status IN (${Object.keys(statusValues).join(', ')})`,
        'activeSessionCount < maxConcurrent',
        '(attribute_not_exists(expiresAt) OR expiresAt > :now)',
      ].join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ...statusValues },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}
