import type { MeterRequest } from '@evcharge/domain';
import {
  type DueItemKey,
  getMeterRequest,
  getSession,
  mapConcurrently,
  queryDueItems,
  type TableContext,
} from '@evcharge/dynamo';
import type { MeterRequestTimer } from './request-timer.js';
import { isResolvable } from './rules.js';
import { getMeterRequestByKey, resolveMeterRequestUnavailable } from './store.js';

// Two ways a request reaches its deadline, one resolution: its timer message (SQS, DelaySeconds = the
// timeout) arrives, or the sweeper finds it due. Both go through resolveIfPending, whose write is
// conditional on pending: whichever comes second (or an answer that came first) changes nothing.

export interface TimeoutReport {
  due: number;
  resolved: number;
}

/** A timer message arrived: resolve its request as unavailable if it is still pending. */
export async function resolveTimedOutMeterRequest(
  table: TableContext,
  timer: MeterRequestTimer,
  now: Date,
): Promise<boolean> {
  return resolveIfPending(table, await getMeterRequest(table, timer.sessionId, timer.requestId), now);
}

/**
 * The backstop: resolves every pending meter request past its deadline as unavailable, with the session's
 * last known values. Catches the requests whose timer message was never sent or was dead-lettered.
 */
export async function resolveTimedOutMeterRequests(table: TableContext, now: Date): Promise<TimeoutReport> {
  const { items } = await queryDueItems(table, 'meter-request', now.getTime());
  // A few at a time: a burst of due requests must not throttle the table the ingest path writes to.
  const outcomes = await mapConcurrently(items, CONCURRENCY, async (key: DueItemKey) =>
    resolveIfPending(table, await getMeterRequestByKey(table, key), now),
  );
  return { due: items.length, resolved: outcomes.filter(Boolean).length };
}

const CONCURRENCY = 25;

/** pending → unavailable with the session's last known values; false when it was not pending (any more). */
async function resolveIfPending(
  table: TableContext,
  request: MeterRequest | undefined,
  now: Date,
): Promise<boolean> {
  if (!isResolvable(request)) return false;
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
