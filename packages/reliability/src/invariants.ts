import type { TableContext } from '@evcharge/dynamo';
import { scanTable } from './table-state.js';

export interface InvariantReport {
  items: number;
  connectors: number;
  sessions: number;
  violations: string[];
}

const activeStatuses = new Set(['Authorized', 'Charging']);

/**
 * Scans the whole table and checks what must always hold, whatever arrived: no connector with two active
 * sessions, no orphan activeSessionId (it names an active session of that connector), no negative energy,
 * cost or idTag session count.
 */
export async function checkTableInvariants(table: TableContext): Promise<InvariantReport> {
  const items = await scanTable(table);

  const violations: string[] = [];
  const sessions = items.filter((item) => item.entityType === 'Session');
  const connectors = items.filter((item) => item.entityType === 'Connector');
  const sessionsById = new Map(sessions.map((session) => [String(session.sessionId), session]));
  const activeByConnector = new Map<string, string[]>();
  for (const session of sessions) {
    const where = `session ${String(session.sessionId)}`;
    if (typeof session.energyWh !== 'number' || !(session.energyWh >= 0))
      violations.push(`${where}: energyWh ${String(session.energyWh)}`);
    if (typeof session.costMinor !== 'number' || !(session.costMinor >= 0))
      violations.push(`${where}: costMinor ${String(session.costMinor)}`);
    if (!activeStatuses.has(String(session.status))) continue;
    const connectorKey = `${String(session.chargerId)}#${String(session.connectorId)}`;
    activeByConnector.set(connectorKey, [
      ...(activeByConnector.get(connectorKey) ?? []),
      String(session.sessionId),
    ]);
  }
  for (const [connectorKey, active] of activeByConnector) {
    if (active.length > 1) violations.push(`connector ${connectorKey}: ${active.length} active sessions`);
  }
  for (const connector of connectors) {
    const connectorKey = `${String(connector.chargerId)}#${String(connector.connectorId)}`;
    const activeSessionId = connector.activeSessionId;
    const active = activeByConnector.get(connectorKey) ?? [];
    if (activeSessionId === undefined) {
      if (active.length > 0)
        violations.push(`connector ${connectorKey}: session ${active[0]} active but not on the connector`);
      continue;
    }
    const session = sessionsById.get(String(activeSessionId));
    if (!session)
      violations.push(`connector ${connectorKey}: orphan activeSessionId ${String(activeSessionId)}`);
    else if (
      !activeStatuses.has(String(session.status)) ||
      `${String(session.chargerId)}#${String(session.connectorId)}` !== connectorKey
    ) {
      violations.push(
        `connector ${connectorKey}: activeSessionId ${String(activeSessionId)} is ${String(session.status)}`,
      );
    }
  }
  for (const tag of items.filter((item) => item.entityType === 'IdTag')) {
    const count = tag.activeSessionCount;
    if (count !== undefined && !(typeof count === 'number' && count >= 0))
      violations.push(`idTag ${String(tag.idTag)}: activeSessionCount ${String(count)}`);
  }
  return { items: items.length, connectors: connectors.length, sessions: sessions.length, violations };
}
