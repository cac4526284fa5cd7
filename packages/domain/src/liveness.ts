import { DEFAULT_HEARTBEAT_INTERVAL_S } from './entities.js';

// Liveness basics every service shares: the silence window and clock skew. Pure: every time is passed in.
// The heartbeat service's own rules are in its src/rules.ts.
//
// What the design guarantees (docs/contract.md, "Liveness"): the connection is the primary signal (IoT Core's
// lifecycle events, its keep-alive included); heartbeats keep `lastSeenAt`; a charger that stays connected but
// sends nothing for its silence window is taken offline by the backstop. Other messages are not written as
// signs of life, so no reading or transaction carries a liveness write.

export const DEFAULT_LIVENESS_GRACE_S = 60;
/** The shortest silence after which a connected charger is taken offline (a long backstop: the connection is primary). */
export const DEFAULT_LIVENESS_BACKSTOP_S = 3600;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * How long a connected charger may send no heartbeat before the backstop takes it offline: two intervals plus
 * grace, or the backstop when that is longer (default max(2 × 300 + 60, 3600) s = 3600 s).
 */
export function livenessWindowMs(
  heartbeatIntervalS = DEFAULT_HEARTBEAT_INTERVAL_S,
  graceS = DEFAULT_LIVENESS_GRACE_S,
  backstopS = DEFAULT_LIVENESS_BACKSTOP_S,
): number {
  return Math.max(2 * heartbeatIntervalS + graceS, backstopS) * 1000;
}

/** Device clock against server receive time; beyond 5 minutes the charger is flagged. */
export function isClockSkewed(deviceAt: string, receivedAtMs: number): boolean {
  return Math.abs(Date.parse(deviceAt) - receivedAtMs) > MAX_CLOCK_SKEW_MS;
}
