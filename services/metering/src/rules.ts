import {
  costMinor,
  isClockSkewed,
  type MeterEvent,
  type MeterReading,
  type MeterRequest,
  type MeterRequestStatus,
  type Tariff,
  toWattHours,
} from '@evcharge/domain';

// Meter readings applied to a register state (a session's totals, or a connector's last known register).
// Pure: the caller reads the state, applies a reading, and writes the result conditionally on that state.

export type ReadingAnomaly = NonNullable<MeterReading['anomaly']>;

/** What a reading can move. A session carries all of it; a connector only latestRegisterWh/lastReadingAt. */
export interface RegisterState {
  energyStartWh?: number | undefined;
  /** Device time of the reading that set energyStartWh; undefined when authorization set it. */
  energyStartAt?: string | undefined;
  latestRegisterWh?: number | undefined;
  lastReadingAt?: string | undefined;
  powerW?: number | undefined;
}

export interface RegisterReading {
  at: string;
  registerWh: number;
  powerW?: number | undefined;
}

export type ReadingApplication =
  | { changed: true; next: RegisterState }
  | { changed: false; anomaly: ReadingAnomaly; next: RegisterState };

/** Turns a validated rule event into the stored reading: the register normalized to integer Wh. */
export function meterReadingOf(event: MeterEvent, sessionId?: string): MeterReading {
  return {
    chargerId: event.chargerId,
    connectorId: event.connectorId,
    messageId: event.messageId,
    at: event.at,
    receivedAt: new Date(event.receivedAt).toISOString(),
    registerWh: toWattHours(event.energy),
    ...(event.powerW === undefined ? {} : { powerW: event.powerW }),
    context: event.context,
    ...(sessionId ? { sessionId } : {}),
    ...(event.requestId ? { requestId: event.requestId } : {}),
  };
}

/** Readings are ordered by device time, then by register (a meter never runs backwards). */
function compareReadings(a: { at: string; registerWh: number }, b: { at: string; registerWh: number }) {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.registerWh - b.registerWh;
}

/**
 * Applies one reading. Order-independent for a sane meter (register non-decreasing in time): any
 * arrival order, with any duplicates, ends in the same state as the in-order sequence.
 * - newer than the latest: becomes the latest (register, time, power), unless its register is below the
 *   latest or the start (a regression: flagged, not applied);
 * - older than the reading that set the start: lowers the start (a late Transaction.Begin, say);
 * - anything else older: out-of-order, never moves the latest values backwards;
 * - a register of exactly 0 is a placeholder some firmware sends after a reboot or a long gap: never
 *   applied, so it can never become a start that bills the meter's lifetime register.
 */
export function applyReading(state: RegisterState, reading: RegisterReading): ReadingApplication {
  const unchanged = (anomaly: ReadingAnomaly): ReadingApplication => ({
    changed: false,
    anomaly,
    next: state,
  });
  if (reading.registerWh === 0) return unchanged('zero-register-placeholder');

  const latest =
    state.latestRegisterWh !== undefined && state.lastReadingAt !== undefined
      ? { at: state.lastReadingAt, registerWh: state.latestRegisterWh }
      : undefined;
  const isNewest = !latest || compareReadings(reading, latest) > 0;

  if (isNewest) {
    if (latest && reading.registerWh < latest.registerWh) return unchanged('register-regression');
    if (state.energyStartWh !== undefined && reading.registerWh < state.energyStartWh) {
      return unchanged('register-regression');
    }
    const next: RegisterState = {
      ...state,
      latestRegisterWh: reading.registerWh,
      lastReadingAt: reading.at,
      powerW: reading.powerW,
    };
    if (state.energyStartWh === undefined) {
      next.energyStartWh = reading.registerWh;
      next.energyStartAt = reading.at;
    }
    return { changed: true, next };
  }

  const start =
    state.energyStartWh !== undefined && state.energyStartAt !== undefined
      ? { at: state.energyStartAt, registerWh: state.energyStartWh }
      : undefined;
  if (start && compareReadings(reading, start) < 0) {
    if (reading.registerWh > start.registerWh) return unchanged('register-regression');
    return {
      changed: true,
      next: { ...state, energyStartWh: reading.registerWh, energyStartAt: reading.at },
    };
  }
  return unchanged('out-of-order');
}

/**
 * Whether a reading was taken before the session started: its device time against the session's start
 * (server time). Only a device clock within the contract's skew is comparable; a skewed reading (a clock
 * far off, or a message buffered for minutes) cannot tell, and belongs to the session holding the connector.
 */
export function precedesSession(
  reading: { at: string; receivedAt: number },
  session: { startedAt: string },
): boolean {
  if (isClockSkewed(reading.at, reading.receivedAt)) return false;
  return Date.parse(reading.at) < Date.parse(session.startedAt);
}

/**
 * Applies a reading taken before a session started (a reading without sessionId whose device time precedes
 * the session's start, or a late reading of the session before it on the connector) to that session's
 * start. In order, such a reading would have been the connector's register when the session was
 * authorized, so the start ends as the latest pre-session register, whatever the arrival order:
 * - a start authorization took from the connector (energyStartAt undefined) is raised to it, never lowered
 *   (a later pre-session reading may already have raised it);
 * - a start the session's own first reading set (authorization knew no register) is replaced by it, as
 *   authorization would have taken it in order; a pre-session register above it is a regression.
 * Only the start moves: the latest values are the session's own readings.
 */
export function applyPreSessionReading(state: RegisterState, reading: RegisterReading): ReadingApplication {
  const unchanged = (anomaly: ReadingAnomaly): ReadingApplication => ({
    changed: false,
    anomaly,
    next: state,
  });
  if (reading.registerWh === 0) return unchanged('zero-register-placeholder');
  if (state.latestRegisterWh !== undefined && reading.registerWh > state.latestRegisterWh) {
    return unchanged('register-regression');
  }
  const asStart: ReadingApplication = {
    changed: true,
    next: { ...state, energyStartWh: reading.registerWh, energyStartAt: undefined },
  };
  if (state.energyStartWh === undefined) return asStart;
  if (state.energyStartAt === undefined) {
    return reading.registerWh > state.energyStartWh ? asStart : unchanged('out-of-order');
  }
  return reading.registerWh <= state.energyStartWh ? asStart : unchanged('register-regression');
}

export interface SessionTotals {
  energyWh: number;
  costMinor: number;
}

/** energyWh = latest − start, never negative; cost from the session's own tariff. */
export function sessionTotalsOf(state: RegisterState, tariff: Tariff): SessionTotals {
  const energyWh =
    state.latestRegisterWh !== undefined && state.energyStartWh !== undefined
      ? Math.max(0, state.latestRegisterWh - state.energyStartWh)
      : 0;
  return { energyWh, costMinor: costMinor(energyWh, tariff) };
}

export const DEFAULT_METER_REQUEST_TIMEOUT_S = 30;

/** The one status a meter request resolves from; the store's conditional writes are built from it too. */
export const RESOLVABLE_METER_REQUEST_STATUS = 'pending' satisfies MeterRequestStatus;

/** Only a pending request is answered or timed out: whichever resolution comes second changes nothing. */
export function isResolvable(request: MeterRequest | undefined): request is MeterRequest {
  return request?.status === RESOLVABLE_METER_REQUEST_STATUS;
}

/** When an unanswered meter request is resolved as unavailable (epoch ms). */
export function meterRequestDueAt(requestedAt: Date, timeoutS = DEFAULT_METER_REQUEST_TIMEOUT_S): number {
  return requestedAt.getTime() + timeoutS * 1000;
}
