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
 * (server-generated session ids, transactionIds from the counter, server receive times): a session is keyed by
 * the auth request that opened it (v1) or by its charger, connector and start time (v2), a transaction alike.
 */
export async function normalizedState(table: TableContext): Promise<Record<string, string[]>> {
  const items = await scanTable(table);
  const attempts = byEntity(items, 'AuthAttempt');
  const requestOfSession = new Map(
    attempts.filter((a) => a.sessionId).map((a) => [String(a.sessionId), String(a.requestId)]),
  );
  const sessionKeys = new Map(
    byEntity(items, 'Session').map((s) => [
      String(s.sessionId),
      requestOfSession.get(String(s.sessionId)) ??
        `${String(s.chargerId)}#${String(s.connectorId)}@${String(s.startedAt)}`,
    ]),
  );
  const sessionKey = (sessionId: unknown) =>
    sessionId ? (sessionKeys.get(String(sessionId)) ?? 'unknown') : null;
  const transactionKey = (t: Record<string, unknown>) =>
    `${String(t.chargerId)}#${String(t.connectorId)}@${String(t.startedAt ?? t.at)}`;
  return {
    chargers: sorted(byEntity(items, 'Charger').map((c) => ({ id: c.chargerId, status: c.status }))),
    connectors: sorted(
      byEntity(items, 'Connector').map((c) => ({
        id: `${String(c.chargerId)}#${String(c.connectorId)}`,
        plugged: c.plugged,
        status: c.status,
        activeSession: sessionKey(c.activeSessionId),
        lastRegisterWh: c.lastRegisterWh ?? null,
      })),
    ),
    idTags: sorted(
      byEntity(items, 'IdTag').map((t) => ({ idTag: t.idTag, active: t.activeSessionCount ?? 0 })),
    ),
    authAttempts: sorted(attempts.map((a) => ({ requestId: a.requestId, status: a.status }))),
    sessions: sorted(
      byEntity(items, 'Session').map((s) => ({
        key: sessionKey(s.sessionId),
        status: s.status,
        energyWh: s.energyWh,
        costMinor: s.costMinor,
        latestRegisterWh: s.latestRegisterWh ?? null,
        stopReason: s.stopReason ?? null,
      })),
    ),
    // v2: each start as decided, each transaction as stopped, and stops naming no transaction (orphans).
    transactionStarts: sorted(
      byEntity(items, 'TransactionStart').map((t) => ({
        key: transactionKey(t),
        requestId: t.requestId,
        idTag: t.idTag,
        meterStart: t.meterStart,
        idTagInfo: t.idTagInfo,
        refusal: t.refusal ?? null,
        session: sessionKey(t.sessionId),
      })),
    ),
    transactions: sorted(
      byEntity(items, 'Transaction').map((t) => ({
        key: transactionKey(t),
        idTag: t.idTag,
        session: sessionKey(t.sessionId),
        meterStop: t.meterStop ?? null,
        stoppedAt: t.stoppedAt ?? null,
        stopReason: t.stopReason ?? null,
      })),
    ),
    orphanStops: sorted(
      byEntity(items, 'OrphanTransactionStop').map((o) => ({
        chargerId: o.chargerId,
        at: o.at,
        reason: o.reason,
      })),
    ),
    meterReadings: sorted(byEntity(items, 'MeterReading').map((r) => ({ messageId: r.messageId }))),
  };
}
