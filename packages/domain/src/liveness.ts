import { DEFAULT_HEARTBEAT_INTERVAL_S } from './entities.js';

// Liveness basics every service shares: the window, the deadline, clock skew, when a message still counts
// as a sign of life. Pure: every time is passed in. The heartbeat service's own rules are in its src/rules.ts.

export const DEFAULT_LIVENESS_GRACE_S = 60;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A charger is stale when nothing arrived for two intervals plus grace (default 2 × 300 + 60 = 660 s). */
export function livenessWindowMs(
  heartbeatIntervalS = DEFAULT_HEARTBEAT_INTERVAL_S,
  graceS = DEFAULT_LIVENESS_GRACE_S,
): number {
  return (2 * heartbeatIntervalS + graceS) * 1000;
}

/** Device clock against server receive time; beyond 5 minutes the charger is flagged. */
export function isClockSkewed(deviceAt: string, receivedAtMs: number): boolean {
  return Math.abs(Date.parse(deviceAt) - receivedAtMs) > MAX_CLOCK_SKEW_MS;
}

/** When a charger last seen at `lastSeenMs` is to be marked offline (the `dueAt` of its deadline). */
export function offlineDeadlineMs(lastSeenMs: number, windowMs = livenessWindowMs()): number {
  return lastSeenMs + windowMs;
}

/**
 * Other services refresh liveness with an unconditional SET inside their own transaction, so a message
 * processed this long after it was received (a retry) refreshes nothing: it could move lastSeenAt back
 * behind messages already applied. Kept below the heartbeat sweeper's allowance, so a refresh skipped or
 * moved back by at most this much can never make the sweeper take a live charger offline (its rules test
 * guards this).
 */
export const LATE_SIGN_OF_LIFE_MS = 30_000;

export function isFreshSignOfLife(receivedAtMs: number, nowMs: number): boolean {
  return nowMs - receivedAtMs <= LATE_SIGN_OF_LIFE_MS;
}
