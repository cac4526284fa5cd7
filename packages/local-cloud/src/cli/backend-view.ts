import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '@evcharge/dynamo';

/** What the backend itself believes, read from the table (not from the simulator). */
export interface BackendView {
  chargersOnline: number;
  chargersOffline: number;
  sessionsActive: number;
  sessionsCompleted: number;
  energyWh: number;
}

/** Scans chargers and sessions; fine for a demo-sized table, read every couple of seconds. */
export async function readBackendView(table: TableContext): Promise<BackendView> {
  const view: BackendView = {
    chargersOnline: 0,
    chargersOffline: 0,
    sessionsActive: 0,
    sessionsCompleted: 0,
    energyWh: 0,
  };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'entityType IN (:charger, :session)',
        ProjectionExpression: 'entityType, #status, energyWh',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':charger': 'Charger', ':session': 'Session' },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entityType === 'Charger') {
        if (item.status === 'online') view.chargersOnline++;
        else view.chargersOffline++;
      } else {
        if (item.status === 'Authorized' || item.status === 'Charging') view.sessionsActive++;
        if (item.status === 'Completed') view.sessionsCompleted++;
        view.energyWh += typeof item.energyWh === 'number' ? item.energyWh : 0;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return view;
}
