import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterRequest } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { itemOf } from '../entity.js';
import { entityOf, type TableContext } from '../table-context.js';

// A user's on-demand meter request. Metering writes and resolves it (services/metering/src/store.ts);
// these two stay shared because the tools (reliability tests, the bench) seed and read requests too.

/** Creates a pending request with its deadline armed on the sparse `deadlines` index. */
export async function createMeterRequest(
  table: TableContext,
  request: MeterRequest,
  dueAtMs: number,
): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: itemOf(entities.meterRequest, request, { dueAt: dueAtMs }),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getMeterRequest(
  table: TableContext,
  sessionId: string,
  requestId: string,
): Promise<MeterRequest | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.meterRequest(sessionId, requestId) }),
  );
  return Item ? entityOf<MeterRequest>(Item) : undefined;
}
