import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectorEvent } from '@evcharge/domain';
import { keys } from '../entities.js';
import { entityOf, type TableContext } from '../table-context.js';

// Written by plug-events; the read stays shared because tools (the reliability suites) check the trail too.
// | pattern                         | key condition                                                        |
// | ------------------------------- | -------------------------------------------------------------------- |
// | connector history, newest first | pk = CONNHIST#<chargerId>#<connector>, sk = <at>#<event>#<messageId> |

export interface ConnectorHistoryOptions {
  limit?: number;
  /** Continue after this page's `nextKey`. */
  startKey?: Record<string, unknown>;
}

export interface ConnectorHistoryPage {
  events: ConnectorEvent[];
  nextKey?: Record<string, unknown>;
}

/** The audit trail of a connector, newest first (by device time): applied and ignored events with the reason. */
export async function listConnectorHistory(
  table: TableContext,
  chargerId: string,
  connectorId: number,
  options: ConnectorHistoryOptions = {},
): Promise<ConnectorHistoryPage> {
  const { Items = [], LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.connectorHistoryPartition(chargerId, connectorId) },
      ScanIndexForward: false,
      Limit: options.limit ?? 50,
      ExclusiveStartKey: options.startKey,
    }),
  );
  return {
    events: Items.map((item) => entityOf<ConnectorEvent>(item)),
    ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}),
  };
}
