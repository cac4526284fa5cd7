import {
  type ActiveSession,
  applyConnectorStatus,
  applyPlugEvent,
  type ChargePointErrorCode,
  type ChargePointStatus,
  type ConnectorEvent,
  type ConnectorState,
  type ConnectorStatus,
  canTransitionSession,
  connectorStatusOf,
  costMinor,
  type ErrorClass,
  isActiveSessionStatus,
  type PlugEventKind,
  type Session,
  type SessionStatus,
} from '@evcharge/domain';

// Plug events: ordering against the connector's last applied event, what an ignored event records,
// and what a session becomes. Pure: the store reads, calls these, and writes one transaction.

/** A plug event as the server knows it: the device's `at`, and the rule's receive time (epoch ms). */
export interface PlugEventFacts {
  messageId: string;
  event: PlugEventKind;
  at: string;
  receivedAt: number;
}

/** Why an event was recorded but not applied: the reasons the ConnectorEvent item can hold. */
export type IgnoredPlugReason = NonNullable<ConnectorEvent['reason']>;

/** The connector as the plug decision needs it. */
export interface PlugConnector extends ConnectorState {
  lastEventAt?: string | undefined;
  lastEventReceivedAt?: number | undefined;
}

type Orderable = { at: string; receivedAt: number; messageId?: string | undefined };

/** Device time first, then receive time; messageId only breaks exact ties, so every order is total. */
export function comparePlugEvents(left: Orderable, right: Orderable): number {
  const byAt = Date.parse(left.at) - Date.parse(right.at);
  if (byAt !== 0) return Math.sign(byAt);
  const byReceived = left.receivedAt - right.receivedAt;
  if (byReceived !== 0) return Math.sign(byReceived);
  if (left.messageId === undefined || right.messageId === undefined) return 0;
  return left.messageId < right.messageId ? -1 : left.messageId > right.messageId ? 1 : 0;
}

export type PlugEventOrder = 'newer' | 'older' | 'duplicate';

/** Where an event stands against the last one the connector applied (same position = a redelivery). */
export function plugEventOrder(connector: PlugConnector, event: PlugEventFacts): PlugEventOrder {
  if (connector.lastEventAt === undefined) return 'newer';
  const last = { at: connector.lastEventAt, receivedAt: connector.lastEventReceivedAt ?? 0 };
  const comparison = comparePlugEvents(event, last);
  return comparison > 0 ? 'newer' : comparison < 0 ? 'older' : 'duplicate';
}

export interface SessionCompletion {
  endedAt: string;
  durationS: number;
  energyWh: number;
  costMinor: number;
}

/**
 * Final values of a session that ends at `endedAtMs`. Energy comes from the latest register kept on the
 * session when both ends are known, else the running total metering kept. An unplug that reached the
 * server before charging began (a delayed message) ends the session at its start: duration 0.
 */
export function sessionCompletion(
  session: Pick<
    Session,
    | 'startedAt'
    | 'chargingStartedAt'
    | 'energyStartWh'
    | 'latestRegisterWh'
    | 'energyWh'
    | 'pricePerKwhMinor'
    | 'currency'
  >,
  endedAtMs: number,
): SessionCompletion {
  const chargingFromMs = Date.parse(session.chargingStartedAt ?? session.startedAt);
  const endMs = Math.max(endedAtMs, chargingFromMs);
  const energyWh =
    session.latestRegisterWh !== undefined && session.energyStartWh !== undefined
      ? Math.max(0, session.latestRegisterWh - session.energyStartWh)
      : session.energyWh;
  return {
    endedAt: new Date(endMs).toISOString(),
    durationS: Math.floor((endMs - chargingFromMs) / 1000),
    energyWh,
    costMinor: costMinor(energyWh, {
      pricePerKwhMinor: session.pricePerKwhMinor,
      currency: session.currency,
    }),
  };
}

/** Charging starts when the plug reached the server, but never before the session was authorized. */
export function chargingStartOf(session: Pick<Session, 'startedAt'>, plugReceivedAtMs: number): string {
  return new Date(Math.max(Date.parse(session.startedAt), plugReceivedAtMs)).toISOString();
}

export type SessionUpdate =
  | { sessionId: string; from: SessionStatus; to: 'Charging'; chargingStartedAt: string }
  | ({
      sessionId: string;
      from: SessionStatus;
      to: 'Completed';
      chargingStartedAt?: string;
    } & SessionCompletion);

export interface PlugDecision {
  order: PlugEventOrder;
  outcome: 'applied' | 'ignored';
  reason?: IgnoredPlugReason;
  /** The connector after the event. Only a newer event moves plugged and the last-event position. */
  connector: PlugConnector & { status: ConnectorStatus };
  sessionUpdate?: SessionUpdate;
}

export interface DecidePlugEventInput {
  connector: PlugConnector;
  /** The session the connector's activeSessionId names, if it is still active. */
  session?: Session | undefined;
  event: PlugEventFacts;
  /**
   * Other events of this connector from around the session's start (its history). Only needed for an
   * older event while a session is active: the session is then replayed from the history.
   */
  history?: readonly PlugEventFacts[] | undefined;
}

/** Whether deciding this event needs the connector's history (an older event during an active session). */
export function needsPlugHistory(
  connector: PlugConnector,
  event: PlugEventFacts,
  session?: Session,
): boolean {
  return (
    session !== undefined &&
    isActiveSessionStatus(session.status) &&
    plugEventOrder(connector, event) === 'older'
  );
}

/**
 * What a plug event does. A newer event is applied through the connector state machine; a state it
 * repeats (plugged twice, unplug while unplugged) is recorded as ignored but still becomes the latest
 * event, so an older event can never undo it. An older event never changes the connector, but it may
 * change the active session's fate (see replaySession), so that shuffled streams end where in-order ones do.
 */
export function decidePlugEvent(input: DecidePlugEventInput): PlugDecision {
  const { connector, event } = input;
  const session = input.session && isActiveSessionStatus(input.session.status) ? input.session : undefined;
  const activeSession: ActiveSession | undefined = session
    ? { sessionId: session.sessionId, status: session.status }
    : undefined;
  const current: PlugConnector = { ...connector, activeSessionId: session?.sessionId };
  const order = plugEventOrder(connector, event);

  if (order !== 'newer') {
    const sessionUpdate =
      session && input.history ? replaySession(session, [...input.history, event]) : undefined;
    return {
      order,
      outcome: 'ignored',
      reason: order,
      connector: withStatus(
        sessionUpdate?.to === 'Completed' ? released(current) : current,
        sessionUpdate,
        activeSession,
      ),
      ...(sessionUpdate ? { sessionUpdate } : {}),
    };
  }

  const position = { lastEventAt: event.at, lastEventReceivedAt: event.receivedAt };
  const outcome = applyPlugEvent(current, event.event, activeSession);
  if (!outcome.applied) {
    return {
      order,
      outcome: 'ignored',
      reason: outcome.reason,
      connector: withStatus({ ...current, ...position }, undefined, activeSession),
    };
  }

  let sessionUpdate: SessionUpdate | undefined;
  if (session && outcome.sessionChange?.to === 'Charging') {
    sessionUpdate = {
      sessionId: session.sessionId,
      from: session.status,
      to: 'Charging',
      chargingStartedAt: chargingStartOf(session, event.receivedAt),
    };
  } else if (session && outcome.sessionChange?.to === 'Completed') {
    sessionUpdate = {
      sessionId: session.sessionId,
      from: session.status,
      to: 'Completed',
      ...sessionCompletion(session, event.receivedAt),
    };
  }
  const next: PlugConnector = {
    ...current,
    plugged: outcome.connector.plugged,
    ...position,
    ...(sessionUpdate?.to === 'Completed' ? { activeSessionId: undefined } : {}),
  };
  return {
    order,
    outcome: 'applied',
    connector: withStatus(next, sessionUpdate, activeSession),
    ...(sessionUpdate ? { sessionUpdate } : {}),
  };
}

function released(connector: PlugConnector): PlugConnector {
  return { ...connector, activeSessionId: undefined };
}

function withStatus(
  connector: PlugConnector,
  sessionUpdate: SessionUpdate | undefined,
  activeSession?: ActiveSession,
): PlugConnector & { status: ConnectorStatus } {
  const sessionAfter: ActiveSession | undefined =
    connector.activeSessionId === undefined
      ? undefined
      : sessionUpdate
        ? { sessionId: sessionUpdate.sessionId, status: sessionUpdate.to }
        : activeSession;
  return { ...connector, status: connectorStatusOf(connector, sessionAfter) };
}

export interface SessionFate {
  status: 'Authorized' | 'Charging' | 'Completed';
  chargingStartedAtMs?: number;
  endedAtMs?: number;
}

/**
 * The fate of a session given every plug event of its connector, in any arrival order: replayed in
 * event order from the connector's state when the session was authorized (the latest event that reached
 * the server before it, else what the session was created as). The first plug starts charging, the first
 * unplug after it completes the session. Events reached the server in real-time order, so `receivedAt`
 * against `startedAt` (both server clocks) says which side of the authorization an event is on.
 */
export function sessionFateOf(session: Session, events: readonly PlugEventFacts[]): SessionFate {
  const startedAtMs = Date.parse(session.startedAt);
  const ordered = [...events].sort(comparePlugEvents);
  const before = ordered.filter((event) => event.receivedAt < startedAtMs);
  const after = ordered.filter((event) => event.receivedAt >= startedAtMs);
  const lastBefore = before.at(-1);
  let plugged = lastBefore
    ? lastBefore.event === 'plugged'
    : session.chargingStartedAt !== undefined && session.chargingStartedAt === session.startedAt;
  let fate: SessionFate = plugged
    ? { status: 'Charging', chargingStartedAtMs: startedAtMs }
    : { status: 'Authorized' };
  for (const event of after) {
    if (event.event === 'plugged' && !plugged) {
      plugged = true;
      fate = { status: 'Charging', chargingStartedAtMs: Math.max(startedAtMs, event.receivedAt) };
    } else if (event.event === 'unplugged' && plugged) {
      return { ...fate, status: 'Completed', endedAtMs: event.receivedAt };
    }
  }
  return fate;
}

/**
 * The update that brings an active session to its fate, if it differs. A session never goes back
 * (Charging → Authorized): the state machine only moves forward.
 */
export function replaySession(
  session: Session,
  events: readonly PlugEventFacts[],
): SessionUpdate | undefined {
  if (!isActiveSessionStatus(session.status)) return undefined;
  const fate = sessionFateOf(session, events);
  const chargingStartedAt =
    fate.chargingStartedAtMs !== undefined ? new Date(fate.chargingStartedAtMs).toISOString() : undefined;
  if (fate.status === 'Completed' && fate.endedAtMs !== undefined) {
    const charged = chargingStartedAt ? { ...session, chargingStartedAt } : session;
    return {
      sessionId: session.sessionId,
      from: session.status,
      to: 'Completed',
      ...(chargingStartedAt ? { chargingStartedAt } : {}),
      ...sessionCompletion(charged, fate.endedAtMs),
    };
  }
  if (fate.status === 'Charging' && chargingStartedAt && chargingStartedAt !== session.chargingStartedAt) {
    return { sessionId: session.sessionId, from: session.status, to: 'Charging', chargingStartedAt };
  }
  return undefined;
}

/** A plug decision that contradicts the session it was made from or the session state machine. */
export class PlugDecisionError extends Error {
  override readonly name = 'PlugDecisionError';
  // Not bad input, not transient: the edge logs it loudly and rethrows it, so it is never retried into success.
  readonly errorClass: ErrorClass = 'bug';
}

/**
 * The status a session update is written from: the store conditions the session write on exactly this, so
 * the decision and the table enforce one transition. Throws when the decision disagrees with the session it
 * read (its condition could never hold) or moves the session against the session state machine.
 */
export function sessionUpdateFrom(
  session: Pick<Session, 'sessionId' | 'status'>,
  update: SessionUpdate,
): SessionStatus {
  if (update.sessionId !== session.sessionId || update.from !== session.status) {
    throw new PlugDecisionError(
      `the decision moves session ${update.sessionId} from ${update.from}, but ${session.sessionId} was read as ${session.status}`,
    );
  }
  // A replayed stream may move when charging started without changing the status: Charging → Charging.
  const correction = update.from === 'Charging' && update.to === 'Charging';
  if (!isActiveSessionStatus(update.from) || !(correction || canTransitionSession(update.from, update.to))) {
    throw new PlugDecisionError(`a plug event cannot move a session from ${update.from} to ${update.to}`);
  }
  return update.from;
}

// ---- v2 status (StatusNotification) -----------------------------------------------------------------

/** A v2 status as the server knows it: the device's `at`, and the rule's receive time (epoch ms). */
export interface StatusFacts {
  messageId: string;
  status: ChargePointStatus;
  errorCode: ChargePointErrorCode;
  info?: string | undefined;
  vendorId?: string | undefined;
  vendorErrorCode?: string | undefined;
  at: string;
  receivedAt: number;
}

/** The last applied status of a connector or of the charger (connector 0). */
export interface StatusPosition {
  statusAt?: string | undefined;
  statusReceivedAt?: number | undefined;
  statusMessageId?: string | undefined;
}

export type StatusOrder = 'newer' | 'older' | 'duplicate';

/**
 * Where a status stands against the last applied one: device time, then receive time. The same messageId
 * is a duplicate whatever its receive time. The store's condition (`newerStatusCondition`) is this rule's
 * table half: it holds exactly when this answers 'newer'.
 */
export function statusOrder(last: StatusPosition | undefined, status: StatusFacts): StatusOrder {
  if (last?.statusMessageId === status.messageId) return 'duplicate';
  if (last?.statusAt === undefined) return 'newer';
  const comparison = comparePlugEvents(status, { at: last.statusAt, receivedAt: last.statusReceivedAt ?? 0 });
  return comparison > 0 ? 'newer' : 'older';
}

/** The OCPP fields a status stores verbatim, and its position. */
export function statusRecordOf(status: StatusFacts): Required<StatusPosition> & {
  ocppStatus: ChargePointStatus;
  errorCode: ChargePointErrorCode;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
} {
  return {
    ocppStatus: status.status,
    errorCode: status.errorCode,
    ...(status.info !== undefined ? { info: status.info } : {}),
    ...(status.vendorId !== undefined ? { vendorId: status.vendorId } : {}),
    ...(status.vendorErrorCode !== undefined ? { vendorErrorCode: status.vendorErrorCode } : {}),
    statusAt: status.at,
    statusReceivedAt: status.receivedAt,
    statusMessageId: status.messageId,
  };
}

/** The connector as a status decision needs it: the plug facts, their position, and the last status. */
export interface StatusConnector extends PlugConnector, StatusPosition {}

export type StatusDecision =
  | { order: 'older' | 'duplicate'; outcome: 'ignored'; reason: 'older' | 'duplicate' }
  | {
      order: 'newer';
      outcome: 'applied';
      /** The connector's facts after the status, and the status connectorStatusOf derives from them. */
      connector: ConnectorState & { status: ConnectorStatus };
      /** Set when the status raises or clears the fault (what operators are told). */
      fault?: 'raised' | 'cleared';
    };

/**
 * What a v2 status does to a connector: through the same state machine as plug events
 * (`applyConnectorStatus`). An older or repeated status is a no-op. A status older than the connector's
 * last plug event never moves `plugged` (the newer plug event says it); sessions are never changed here.
 */
export function decideConnectorStatus(input: {
  connector: StatusConnector;
  /** The session the connector holds, if it is still active (it decides Charging vs Preparing). */
  session?: ActiveSession | undefined;
  status: StatusFacts;
}): StatusDecision {
  const { connector, status } = input;
  const order = statusOrder(connector, status);
  if (order !== 'newer') return { order, outcome: 'ignored', reason: order };
  const session = input.session && isActiveSessionStatus(input.session.status) ? input.session : undefined;
  const current: ConnectorState = {
    plugged: connector.plugged,
    faulted: connector.faulted,
    unavailable: connector.unavailable ?? false,
    activeSessionId: connector.activeSessionId,
  };
  const applied = applyConnectorStatus(current, status.status, session);
  const olderThanPlug =
    connector.lastEventAt !== undefined &&
    comparePlugEvents(status, { at: connector.lastEventAt, receivedAt: connector.lastEventReceivedAt ?? 0 }) <
      0;
  const next: ConnectorState = olderThanPlug
    ? { ...applied.connector, plugged: connector.plugged }
    : applied.connector;
  const fault =
    next.faulted && !connector.faulted
      ? 'raised'
      : !next.faulted && connector.faulted
        ? 'cleared'
        : undefined;
  return {
    order,
    outcome: 'applied',
    connector: { ...next, status: connectorStatusOf(next, session) },
    ...(fault ? { fault } : {}),
  };
}

/** The statuses of connector 0 that refuse new sessions on all of the charger's connectors. */
export function refusesNewSessions(status: ChargePointStatus): boolean {
  return status === 'Faulted' || status === 'Unavailable';
}
