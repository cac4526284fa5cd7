import { DEFAULT_HEARTBEAT_INTERVAL_S } from './entities.js';

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
