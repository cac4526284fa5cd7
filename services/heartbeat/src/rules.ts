import { isDeepStrictEqual } from 'node:util';
import {
  BadInputError,
  type BootEvent,
  type BootResponsePayload,
  type Charger,
  type ChargerBootReport,
  type ChargerStatus,
  type CommandRecord,
  type CommandResponseEvent,
  DEFAULT_LIVENESS_BACKSTOP_S,
  DEFAULT_LIVENESS_GRACE_S,
  type DiagnosticsStatusEvent,
  type FirmwareStatusEvent,
  type HeartbeatEvent,
  isClockSkewed,
  livenessWindowMs,
  type PresenceEvent,
} from '@evcharge/domain';

// The heartbeat service's liveness decisions: when the sweeper acts, which lifecycle event wins and what it
// writes, whether a heartbeat is written. Pure: every time is passed in (epoch ms from the rule's
// timestamp() or IoT Core's presence events); the basics other services share are in @evcharge/domain.

// ---- Offline sweeper -------------------------------------------------------------------------------

/**
 * How long past a deadline the sweeper waits before it acts. A sign of life received just before the
 * deadline can still be on its way (rule → async invoke, and that invoke's first retry about a minute
 * later); swept before it lands, a live charger would go offline and straight back online.
 */
export const DEFAULT_SWEEP_ALLOWANCE_S = 60;

/** The sweeper takes offline only chargers due at or before this moment. */
export function offlineSweepCutoffMs(nowMs: number, allowanceS = DEFAULT_SWEEP_ALLOWANCE_S): number {
  return nowMs - allowanceS * 1000;
}

/** The sweeper's rule: an online charger whose deadline passed more than the allowance ago goes offline. */
export function isOfflineDue(
  status: ChargerStatus,
  dueAtMs: number | undefined,
  nowMs: number,
  allowanceS = DEFAULT_SWEEP_ALLOWANCE_S,
): boolean {
  return status === 'online' && dueAtMs !== undefined && dueAtMs <= offlineSweepCutoffMs(nowMs, allowanceS);
}

// ---- Lifecycle (presence) events -------------------------------------------------------------------

/** Where a lifecycle event sits in a client's sequence: IoT Core orders by versionNumber, then timestamp. */
export interface PresenceOrder {
  versionNumber: number;
  timestamp: number;
}

/** The order of the newest lifecycle event already applied to a charger, as stored on it. */
export interface AppliedPresence {
  presenceVersion?: number | undefined;
  presenceTimestamp?: number | undefined;
}

/** Negative when `a` is older than `b`, 0 for the same position (a duplicate), positive when newer. */
export function comparePresence(a: PresenceOrder, b: PresenceOrder): number {
  return a.versionNumber !== b.versionNumber ? a.versionNumber - b.versionNumber : a.timestamp - b.timestamp;
}

/** Only a strictly newer event is applied: late ones and duplicates are no-ops. */
export function isNewerPresence(candidate: PresenceOrder, applied: AppliedPresence | undefined): boolean {
  if (applied?.presenceVersion === undefined || applied.presenceTimestamp === undefined) return true;
  const stored = { versionNumber: applied.presenceVersion, timestamp: applied.presenceTimestamp };
  return comparePresence(candidate, stored) > 0;
}

/**
 * What a lifecycle event means for liveness (the connection is the primary signal):
 * - connected: online now, its backstop deadline armed (`backstopS` on; the sweeper re-arms it while the
 *   charger keeps talking);
 * - clean (client-initiated) disconnect: still online, but due offline after the grace period, because a
 *   rebooting charger that reconnects in time must not produce an offline/online pair;
 * - any other disconnect (keep-alive timeout, connection lost, duplicate client id...): offline at once.
 */
export type PresenceEffect =
  | { kind: 'online'; atMs: number; dueAtMs: number }
  | { kind: 'grace'; atMs: number; deadlineMs: number }
  | { kind: 'offline'; atMs: number };

export function presenceEffect(
  event: PresenceEvent,
  settings: LivenessSettings = DEFAULT_LIVENESS_SETTINGS,
): PresenceEffect {
  if (event.eventType === 'connected') {
    return { kind: 'online', atMs: event.timestamp, dueAtMs: event.timestamp + settings.backstopS * 1000 };
  }
  if (event.clientInitiatedDisconnect) {
    return { kind: 'grace', atMs: event.timestamp, deadlineMs: event.timestamp + settings.graceS * 1000 };
  }
  return { kind: 'offline', atMs: event.timestamp };
}

export function presenceOrderOf(event: PresenceEvent): PresenceOrder {
  return { versionNumber: event.versionNumber, timestamp: event.timestamp };
}

// ---- Heartbeats ------------------------------------------------------------------------------------

/** A heartbeat that would only move lastSeenAt by less than this (and change nothing else) is not written. */
export const HEARTBEAT_THROTTLE_MS = 30_000;

/** Liveness settings of one deployment (the heartbeat service's params). */
export interface LivenessSettings {
  graceS: number;
  backstopS: number;
}

export const DEFAULT_LIVENESS_SETTINGS: LivenessSettings = {
  graceS: DEFAULT_LIVENESS_GRACE_S,
  backstopS: DEFAULT_LIVENESS_BACKSTOP_S,
};

/** What a heartbeat writes, derived once from the rule event. */
export interface HeartbeatFacts {
  seenAtMs: number;
  /** ISO of seenAtMs; ISO strings of one format sort like the times they hold. */
  seenAt: string;
  deviceAt: string;
  clockSkewFlagged: boolean;
  firmware?: string;
  /** Present only when the charger reported its interval. */
  heartbeatIntervalS?: number;
  /** lastSeenAt older than this is worth a write on its own. */
  throttleBefore: string;
  /** Where a heartbeat that brings a charger back online arms its backstop deadline. */
  backstopDueAtMs: number;
}

export function heartbeatFacts(
  event: HeartbeatEvent,
  settings: LivenessSettings = DEFAULT_LIVENESS_SETTINGS,
): HeartbeatFacts {
  return {
    seenAtMs: event.receivedAt,
    seenAt: new Date(event.receivedAt).toISOString(),
    deviceAt: event.at,
    clockSkewFlagged: isClockSkewed(event.at, event.receivedAt),
    ...(event.firmware !== undefined ? { firmware: event.firmware } : {}),
    ...(event.intervalS !== undefined ? { heartbeatIntervalS: event.intervalS } : {}),
    throttleBefore: new Date(event.receivedAt - HEARTBEAT_THROTTLE_MS).toISOString(),
    backstopDueAtMs: event.receivedAt + settings.backstopS * 1000,
  };
}

/** The stored charger fields a heartbeat decision looks at. */
export interface StoredLiveness extends AppliedPresence {
  status: ChargerStatus;
  lastSeenAt?: string | undefined;
  connected?: boolean | undefined;
  clockSkewFlagged?: boolean | undefined;
  firmware?: string | undefined;
  heartbeatIntervalS?: number | undefined;
  /** Whether the offline deadline is armed (duePk present). */
  deadlineArmed: boolean;
}

/**
 * What a heartbeat writes:
 * - stale: nothing; it is not newer than the last sign of life, or it was received before the disconnect
 *   that was applied last (a late retry must not revive a charger that has gone away);
 * - revive: the charger is offline, not connected or has no deadline: online, connected, backstop armed
 *   (a state change, so the deadlines index is written);
 * - refresh: the usual case: lastSeenAt, device time, skew flag (and firmware, interval when they change),
 *   never a key of any index, so one write unit;
 * - throttled: nothing; the last refresh is under 30 s old and nothing else changes.
 * The store states the same rules as ConditionExpressions; this function names the outcome of a failed
 * condition from the item DynamoDB returns, and documents the rules.
 */
export type HeartbeatDecision = 'refresh' | 'revive' | 'throttled' | 'stale';

export function heartbeatDecision(stored: StoredLiveness, facts: HeartbeatFacts): HeartbeatDecision {
  if (stored.lastSeenAt !== undefined && stored.lastSeenAt >= facts.seenAt) return 'stale';
  const disconnectedSince =
    stored.connected === false && stored.presenceTimestamp !== undefined
      ? stored.presenceTimestamp
      : undefined;
  if (disconnectedSince !== undefined && disconnectedSince >= facts.seenAtMs) return 'stale';
  if (stored.status !== 'online' || stored.connected !== true || !stored.deadlineArmed) return 'revive';
  const changesSomething =
    stored.lastSeenAt === undefined ||
    stored.lastSeenAt < facts.throttleBefore ||
    stored.clockSkewFlagged !== facts.clockSkewFlagged ||
    (facts.firmware !== undefined && stored.firmware !== facts.firmware) ||
    (facts.heartbeatIntervalS !== undefined && stored.heartbeatIntervalS !== facts.heartbeatIntervalS);
  return changesSomething ? 'refresh' : 'throttled';
}

// ---- Coalescing: heartbeats this container already wrote --------------------------------------------

/** The heartbeat service's default `heartbeatCoalesceS` param (three 5-minute heartbeats per write). */
export const DEFAULT_HEARTBEAT_COALESCE_S = 900;

/** What this container last wrote for a charger's heartbeat. */
export interface WrittenHeartbeat {
  seenAtMs: number;
  clockSkewFlagged: boolean;
  firmware?: string | undefined;
  heartbeatIntervalS?: number | undefined;
}

/**
 * How long a heartbeat may go unwritten after one this container wrote: the param, at most a quarter of the
 * backstop, so a talking charger's stored lastSeenAt is always younger than the silence window the sweeper
 * judges it by (it is never taken offline for a write that was skipped).
 */
export function coalesceWindowMs(coalesceS: number, settings: LivenessSettings): number {
  return Math.max(0, Math.min(coalesceS, settings.backstopS / 4)) * 1000;
}

/**
 * Skip the write (no read, no write unit) when this container wrote this charger's heartbeat less than the
 * window ago and the new one changes nothing but lastSeenAt. The connection's lifecycle events keep status,
 * so what is lost is only lastSeenAt's precision (at most the window) and, if a connect event never came,
 * a revive delayed by at most the window.
 */
export function isCoalesced(
  written: WrittenHeartbeat | undefined,
  facts: HeartbeatFacts,
  windowMs: number,
): boolean {
  if (!written) return false;
  const age = facts.seenAtMs - written.seenAtMs;
  return (
    age >= 0 &&
    age < windowMs &&
    written.clockSkewFlagged === facts.clockSkewFlagged &&
    (facts.firmware === undefined || written.firmware === facts.firmware) &&
    (facts.heartbeatIntervalS === undefined || written.heartbeatIntervalS === facts.heartbeatIntervalS)
  );
}

// ---- The backstop: a charger that stays connected but falls silent ---------------------------------

/** The stored charger fields the sweeper decides a due charger from. */
export interface StoredDeadline {
  status: ChargerStatus;
  connected?: boolean | undefined;
  lastSeenAt?: string | undefined;
  onlineSince?: string | undefined;
  heartbeatIntervalS?: number | undefined;
  dueAt?: number | undefined;
  deadlineArmed: boolean;
}

/**
 * What the sweeper does with a charger whose deadline passed (by more than the allowance):
 * - offline: disconnected and its grace ran out, or connected but silent for its whole silence window
 *   (`livenessWindowMs`: two heartbeat intervals plus grace, at least the backstop);
 * - rearm: connected and heard within its window: the next check is one window after its last heartbeat,
 *   so a talking charger costs one index write per window, never one per heartbeat;
 * - none: no longer online or armed (another sweeper or an event got there first).
 */
export type DeadlinePlan = { kind: 'offline' } | { kind: 'rearm'; dueAtMs: number } | { kind: 'none' };

export function deadlinePlan(
  stored: StoredDeadline,
  nowMs: number,
  settings: LivenessSettings = DEFAULT_LIVENESS_SETTINGS,
  allowanceS = DEFAULT_SWEEP_ALLOWANCE_S,
): DeadlinePlan {
  if (!isOfflineDue(stored.status, stored.deadlineArmed ? stored.dueAt : undefined, nowMs, allowanceS)) {
    return { kind: 'none' };
  }
  if (stored.connected !== true) return { kind: 'offline' };
  const heardAt = stored.lastSeenAt ?? stored.onlineSince;
  const windowMs = livenessWindowMs(stored.heartbeatIntervalS, settings.graceS, settings.backstopS);
  const silentUntilMs = heardAt === undefined ? undefined : Date.parse(heardAt) + windowMs;
  if (silentUntilMs === undefined || silentUntilMs <= offlineSweepCutoffMs(nowMs, allowanceS)) {
    return { kind: 'offline' };
  }
  return { kind: 'rearm', dueAtMs: silentUntilMs };
}

// ---- Applying a lifecycle event ----------------------------------------------------------------------

/** The stored charger fields a lifecycle event's write depends on. */
export interface StoredPresenceState {
  status: ChargerStatus;
  lastSeenAt?: string | undefined;
  dueAt?: number | undefined;
}

/**
 * The write a (newer) lifecycle event makes, given the charger as stored:
 * - online: flip or keep online; `moveDeadline` puts lastSeenAt/dueAt at the event time, which only
 *   happens when nothing newer was seen (the deadline never moves backwards);
 * - grace: clean disconnect of an online charger: keep online, due offline at `deadlineMs`;
 * - offline: unclean disconnect of an online charger: offline now;
 * - record: only note the event's order (and whether the charger is connected). A disconnect older than
 *   the last sign of life is superseded: the charger has already spoken again.
 */
export type PresencePlan =
  | { kind: 'online'; moveDeadline: boolean; dueAtMs: number }
  | { kind: 'grace'; deadlineMs: number }
  | { kind: 'offline' }
  | { kind: 'record'; connected?: boolean };

export function presencePlan(
  effect: PresenceEffect,
  stored: StoredPresenceState,
  nowMs: number,
): PresencePlan {
  const at = new Date(effect.atMs).toISOString();
  if (effect.kind === 'online') {
    if (stored.lastSeenAt === undefined || stored.lastSeenAt < at)
      return { kind: 'online', moveDeadline: true, dueAtMs: effect.dueAtMs };
    if (stored.status === 'online') return { kind: 'record', connected: true };
    // Offline though a later heartbeat was applied (it raced this event): flip if the deadline still
    // holds, else the sweeper would only take it offline again.
    return stored.dueAt !== undefined && stored.dueAt > nowMs
      ? { kind: 'online', moveDeadline: false, dueAtMs: effect.dueAtMs }
      : { kind: 'record', connected: true };
  }
  if (stored.lastSeenAt !== undefined && stored.lastSeenAt > at) return { kind: 'record' };
  if (stored.status !== 'online') return { kind: 'record', connected: false };
  return effect.kind === 'grace' ? { kind: 'grace', deadlineMs: effect.deadlineMs } : { kind: 'offline' };
}

// ---- Boot ------------------------------------------------------------------------------------------

/** OCPP's MeterValueSampleInterval the cloud asks for: a periodic reading every 15 minutes. */
export const DEFAULT_METER_SAMPLE_INTERVAL_S = 900;

/**
 * The BootNotification answer: Pending until an operator commissions the charger (absent means Accepted),
 * the heartbeat interval the liveness window is built on, and the server's time for the charger's clock.
 */
export function bootAnswer(
  charger: Pick<Charger, 'registrationStatus' | 'heartbeatIntervalS'>,
  boot: { requestId: string },
  meterSampleIntervalS: number,
  now: Date,
): BootResponsePayload {
  return {
    requestId: boot.requestId,
    status: charger.registrationStatus ?? 'Accepted',
    currentTime: now.toISOString(),
    interval: charger.heartbeatIntervalS,
    meterValueSampleInterval: meterSampleIntervalS,
    at: now.toISOString(),
  };
}

/** The registry record a boot writes: what the charger says it is, and when (device time, receive time). */
export function chargerBootOf(event: BootEvent): ChargerBootReport {
  const { requestId, at, receivedAt, chargerId, clientId: _clientId, ...identity } = event;
  return { chargerId, ...identity, lastBootAt: at, lastBootReceivedAt: receivedAt, bootRequestId: requestId };
}

// ---- Firmware and diagnostics status ---------------------------------------------------------------

/** Which status a report sets on the registry record: its attributes are `<field>`, `<field>At`, … */
export type StatusReportField = 'firmwareStatus' | 'diagnosticsStatus';

/** A FirmwareStatusNotification or DiagnosticsStatusNotification, as the registry record keeps it. */
export interface StatusReport {
  field: StatusReportField;
  status: string;
  /** Device time, then server receive time (epoch ms): the order of reports of one field. */
  at: string;
  receivedAt: number;
  messageId: string;
}

export function statusReportOf(
  field: StatusReportField,
  event: FirmwareStatusEvent | DiagnosticsStatusEvent,
): StatusReport {
  return {
    field,
    status: event.status,
    at: event.at,
    receivedAt: event.receivedAt,
    messageId: event.messageId,
  };
}

// ---- Operator command answers -----------------------------------------------------------------------

/** A charger's command/response, as the Command item keeps it. */
export interface CommandAnswer {
  chargerId: string;
  requestId: string;
  status: CommandResponseEvent['status'];
  payload?: Record<string, unknown>;
  /** Device time of the answer, and the server's receive time (ISO). */
  at: string;
  receivedAt: string;
}

export function commandAnswerOf(event: CommandResponseEvent): CommandAnswer {
  return {
    chargerId: event.chargerId,
    requestId: event.requestId,
    status: event.status,
    // An empty payload says nothing more than none, and is never stored (see commandRecordSchema.payload).
    ...(event.payload !== undefined && Object.keys(event.payload).length > 0
      ? { payload: event.payload }
      : {}),
    at: event.at,
    receivedAt: new Date(event.receivedAt).toISOString(),
  };
}

export type CommandAnswerPlan = { kind: 'record'; late: boolean } | { kind: 'duplicate' };

/**
 * What an answer does to its command. The first answer is recorded, also after the operator's wait timed
 * out (late) or the publish reported a failure (it may still have been delivered); the same answer again is a
 * duplicate. Bad input, never retried: an answer to no command of this charger, or a second, different answer.
 */
export function commandAnswerPlan(
  command: Pick<CommandRecord, 'state' | 'answerStatus' | 'answerPayload'> | undefined,
  answer: Pick<CommandAnswer, 'status' | 'payload'>,
): CommandAnswerPlan {
  if (!command) throw new BadInputError('requestId', 'is not a command sent to this charger');
  if (command.state !== 'answered') return { kind: 'record', late: command.state !== 'pending' };
  const same =
    command.answerStatus === answer.status && isDeepStrictEqual(command.answerPayload, answer.payload);
  if (!same) throw new BadInputError('requestId', 'was already answered differently');
  return { kind: 'duplicate' };
}
