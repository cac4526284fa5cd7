import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '@evcharge/dynamo';

export async function scanTable(table: TableContext): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items;
}

const byEntity = (items: Record<string, unknown>[], entityType: string) =>
  items.filter((item) => item.entityType === entityType);
const sorted = <T>(values: T[]) => values.map((value) => JSON.stringify(value)).sort();

/**
 * The table's business state without what legitimately differs between two runs of the same traffic
 * (server-generated session ids, server receive times): sessions are keyed by the auth request that opened them.
 */
export async function normalizedState(table: TableContext): Promise<Record<string, string[]>> {
  const items = await scanTable(table);
  const attempts = byEntity(items, 'AuthAttempt');
  const requestOfSession = new Map(
    attempts.filter((a) => a.sessionId).map((a) => [String(a.sessionId), String(a.requestId)]),
  );
  return {
    chargers: sorted(byEntity(items, 'Charger').map((c) => ({ id: c.chargerId, status: c.status }))),
    connectors: sorted(
      byEntity(items, 'Connector').map((c) => ({
        id: `${String(c.chargerId)}#${String(c.connectorId)}`,
        plugged: c.plugged,
        status: c.status,
        activeSession: c.activeSessionId ? requestOfSession.get(String(c.activeSessionId)) : null,
        lastRegisterWh: c.lastRegisterWh ?? null,
      })),
    ),
    idTags: sorted(
      byEntity(items, 'IdTag').map((t) => ({ idTag: t.idTag, active: t.activeSessionCount ?? 0 })),
    ),
    authAttempts: sorted(attempts.map((a) => ({ requestId: a.requestId, status: a.status }))),
    sessions: sorted(
      byEntity(items, 'Session').map((s) => ({
        openedBy: requestOfSession.get(String(s.sessionId)),
        status: s.status,
        energyWh: s.energyWh,
        costMinor: s.costMinor,
        latestRegisterWh: s.latestRegisterWh ?? null,
      })),
    ),
    meterReadings: sorted(byEntity(items, 'MeterReading').map((r) => ({ messageId: r.messageId }))),
  };
}
