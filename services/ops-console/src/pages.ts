import {
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '@evcharge/dynamo';

/** Every item of a Scan or Query, page after page (the console reads whole views). */
export async function allItems<Item>(
  table: TableContext,
  input: Omit<ScanCommandInput, 'TableName'> | (Omit<QueryCommandInput, 'TableName'> & { query: true }),
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const { query, ...rest } = { query: false, ...input };
    const request = {
      ...rest,
      TableName: table.tableName,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    };
    const page = await table.client.send(query ? new QueryCommand(request) : new ScanCommand(request));
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
