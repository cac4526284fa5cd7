import {
  BadInputError,
  costMinor,
  isActiveSessionStatus,
  isClockSkewed,
  isDeviceTimeBelievable,
  type MeterEvent,
  type MeterReading,
  type MeterRequest,
  type MeterRequestStatus,
  type MeterTopicEvent,
  type MeterValuesEvent,
  powerSampleOf,
  type ReadingContext,
  registerSampleOf,
  type SampledValue,
  type SessionStatus,
  sessionStatuses,
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

/**
 * One reading of a `meter` message, whatever its shape: a v1 message is one, a v2 (OCPP MeterValues) message
 * is one per timestamp. `registerWh` is absent when a v2 timestamp has no register (it drives nothing).
 */
export interface IncomingReading {
  chargerId: string;
  /** 0 is the charger's main meter (v2 only). */
  connectorId: number;
  messageId: string;
  /** Device time. */
  at: string;
  /** Server receive time of the message (epoch ms). */
  receivedAt: number;
  registerWh?: number | undefined;
  powerW?: number | undefined;
  context: ReadingContext;
  sessionId?: string | undefined;
  transactionId?: number | undefined;
  requestId?: string | undefined;
  /** v2: every value sampled at `at`, OCPP's defaults applied. */
  sampledValues?: SampledValue[] | undefined;
}

/** The readings of one `meter` message, oldest first; `connectorId` is the transaction's when the message names none. */
export function readingsOf(event: MeterTopicEvent, connectorId = event.connectorId): IncomingReading[] {
  if (connectorId === undefined)
    throw new BadInputError('connectorId', 'is required unless transactionId names it');
  return 'energy' in event ? [v1ReadingOf(event)] : meterValuesReadingsOf(event, connectorId);
}

function v1ReadingOf(event: MeterEvent): IncomingReading {
  return {
    chargerId: event.chargerId,
    connectorId: event.connectorId,
    messageId: event.messageId,
    at: event.at,
    receivedAt: event.receivedAt,
    registerWh: toWattHours(event.energy),
    powerW: event.powerW,
    context: event.context,
    sessionId: event.sessionId,
    requestId: event.requestId,
  };
}

/**
 * Each timestamp of a v2 message is a reading: the overall Energy.Active.Import.Register at the outlet is its
 * register (integer Wh), Power.Active.Import its power (W); every sampled value is kept with it. A requestId
 * belongs to the newest reading, the one that answers the request.
 */
function meterValuesReadingsOf(event: MeterValuesEvent, connectorId: number): IncomingReading[] {
  const oldestFirst = [...event.meterValue].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
  return oldestFirst.map((meterValue, index) => {
    const register = registerSampleOf(meterValue);
    const power = powerSampleOf(meterValue);
    const contextSample = meterValue.sampledValue[register?.index ?? 0];
    return {
      chargerId: event.chargerId,
      connectorId,
      messageId: event.messageId,
      at: meterValue.timestamp,
      receivedAt: event.receivedAt,
      registerWh: register ? toWattHours({ value: register.value, unit: 'Wh' }) : undefined,
      powerW: power?.value,
      context: contextSample?.context ?? 'Sample.Periodic',
      sessionId: event.sessionId,
      transactionId: event.transactionId,
      requestId: index === oldestFirst.length - 1 ? event.requestId : undefined,
      sampledValues: meterValue.sampledValue,
    };
  });
}

/** The first device time of a message too far ahead of its receive time to order by (v2: bad input). */
export function unbelievableTimestampOf(event: MeterValuesEvent): number | undefined {
  const index = event.meterValue.findIndex(
    (meterValue) => !isDeviceTimeBelievable(meterValue.timestamp, event.receivedAt),
  );
  return index === -1 ? undefined : index;
}

/** Turns a validated reading into the stored one: the register normalized to integer Wh, the rest kept. */
export function meterReadingOf(event: MeterEvent | IncomingReading, sessionId?: string): MeterReading {
  const reading = 'energy' in event ? v1ReadingOf(event) : event;
  return {
    chargerId: reading.chargerId,
    connectorId: reading.connectorId,
    messageId: reading.messageId,
    at: reading.at,
    receivedAt: new Date(reading.receivedAt).toISOString(),
    ...(reading.registerWh === undefined ? {} : { registerWh: reading.registerWh }),
    ...(reading.powerW === undefined ? {} : { powerW: reading.powerW }),
    context: reading.context,
    ...(sessionId ? { sessionId } : {}),
    ...(reading.transactionId === undefined ? {} : { transactionId: reading.transactionId }),
    ...(reading.requestId ? { requestId: reading.requestId } : {}),
    ...(reading.sampledValues ? { sampledValues: reading.sampledValues } : {}),
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
export function applyReading(
  state: RegisterState,
  reading: RegisterReading,
  options: { fixedStart?: boolean } = {},
): ReadingApplication {
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
    // An OCPP transaction's start is its meterStart: no reading moves it.
    if (options.fixedStart) return unchanged('out-of-order');
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

/**
 * A reading of a session that an OCPP transaction/stop completed. The stop fixed its totals (meterStop −
 * meterStart), so no reading moves its start, register or cost. It only does what it would have done arriving
 * before the stop: a sane register (within the transaction's) newer than the last reading becomes the last
 * reading time and power. So a late reading (transactionData replayed after the stop) ends as in order.
 */
export function applyStoppedReading(state: RegisterState, reading: RegisterReading): ReadingApplication {
  const unchanged = (anomaly: ReadingAnomaly): ReadingApplication => ({
    changed: false,
    anomaly,
    next: state,
  });
  if (reading.registerWh === 0) return unchanged('zero-register-placeholder');
  const withinTransaction =
    (state.energyStartWh === undefined || reading.registerWh >= state.energyStartWh) &&
    (state.latestRegisterWh === undefined || reading.registerWh <= state.latestRegisterWh);
  if (!withinTransaction) return unchanged('register-regression');
  if (state.lastReadingAt !== undefined && reading.at <= state.lastReadingAt) {
    return unchanged('transaction-stopped');
  }
  return { changed: true, next: { ...state, lastReadingAt: reading.at, powerW: reading.powerW } };
}

/**
 * The session statuses a reading is planned alike in: while a session is active, its status changes nothing a
 * reading does (a plug moving it Authorized → Charging must not cost a concurrent reading a plan); once it has
 * ended, a reading carries its register over, so only the status it ended in. Write 2 is conditioned on these.
 */
export function statusesPlannedAlike(status: SessionStatus): SessionStatus[] {
  return isActiveSessionStatus(status) ? sessionStatuses.filter(isActiveSessionStatus) : [status];
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
