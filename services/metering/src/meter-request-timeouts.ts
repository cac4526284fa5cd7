import {
  type DueItemKey,
  getMeterRequestByKey,
  getSession,
  queryDueItems,
  resolveMeterRequestUnavailable,
  type TableContext,
} from '@evcharge/dynamo';

export interface TimeoutReport {
  due: number;
  resolved: number;
}

/**
 * Resolves every pending meter request past its deadline as unavailable, with the session's last known
 * values. Conditional on pending, so a concurrent answer wins cleanly and a re-run changes nothing.
 */
export async function resolveTimedOutMeterRequests(table: TableContext, now: Date): Promise<TimeoutReport> {
  const { items } = await queryDueItems(table, 'meter-request', now.getTime());
  let resolved = 0;
  // Small batches: a burst of due requests must not throttle the table the ingest path writes to.
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    const outcomes = await Promise.all(
      items.slice(start, start + BATCH_SIZE).map((key) => resolveOne(table, key, now)),
    );
    resolved += outcomes.filter(Boolean).length;
  }
  return { due: items.length, resolved };
}

const BATCH_SIZE = 25;

async function resolveOne(table: TableContext, key: DueItemKey, now: Date): Promise<boolean> {
  const request = await getMeterRequestByKey(table, key);
  if (request?.status !== 'pending') return false;
  const session = await getSession(table, request.sessionId);
  return resolveMeterRequestUnavailable(table, {
    sessionId: request.sessionId,
    requestId: request.requestId,
    status: 'unavailable',
    resolvedAt: now.toISOString(),
    energyWh: session?.energyWh ?? 0,
    costMinor: session?.costMinor ?? 0,
    powerW: session?.powerW,
    lastReadingAt: session?.lastReadingAt,
    currency: session?.currency,
  });
}
