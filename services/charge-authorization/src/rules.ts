import {
  type AuthAttempt,
  type AuthorizeResponsePayload,
  type AuthResponsePayload,
  type AuthStatus,
  BadInputError,
  type ConnectorState,
  connectorAvailability,
  connectorStatusOf,
  costMinor,
  DEFAULT_CONNECTION_TIMEOUT_S,
  type IdTagInfo,
  type IdTagRecord,
  isActiveSessionStatus,
  isSessionExpired,
  type PendingRemoteStart,
  type Session,
  type StopReason,
  type TagRejectionReason,
  type Tariff,
  type Transaction,
  type TransactionStart,
  type TransactionStartResponsePayload,
  type TransactionStopResponsePayload,
  tagRejectionReasons,
  type UnavailableReason,
} from '@evcharge/domain';

// The charge-authorization decision (OCPP 1.6 idTagInfo plus Unavailable), pure: callers load the
// charger, connector and tag, pass `now`, and persist the outcome under conditions that the state they
// loaded still holds.

/**
 * Tag statuses that may start a session; any other is refused as Blocked. The store's idTag condition is
 * built from this same list, so the decision and the table cannot drift apart.
 */
export const sessionStartingTagStatuses: readonly IdTagRecord['status'][] = ['Accepted'];

export type AuthorizationDecision =
  | { status: 'Accepted'; initialSessionStatus: 'Authorized' | 'Charging' }
  | { status: Exclude<AuthStatus, 'Accepted' | 'Unavailable'>; reason: TagRejectionReason }
  | { status: 'Unavailable'; reason: UnavailableReason };

export interface AuthorizationInput {
  chargerId: string;
  /** The registered charger, or undefined when the topic names a charger we do not know. */
  charger: { chargerId: string } | undefined;
  connector: ConnectorState | undefined;
  idTag: Pick<IdTagRecord, 'status' | 'expiresAt' | 'maxConcurrent' | 'activeSessionCount'> | undefined;
  now: Date;
}

/**
 * Decides an auth request. Order: charger (bad input), then the tag (Invalid, Blocked, Expired,
 * ConcurrentTx), then the connector (Unavailable: unknown, faulted, busy). Tag checks come first so
 * a driver learns about their own tag before a transient connector state, as OCPP idTagInfo does.
 */
export function decideAuthorization(input: AuthorizationInput): AuthorizationDecision {
  if (!input.charger) throw new BadInputError('chargerId', `charger "${input.chargerId}" is not registered`);
  const tagDecision = decideIdTag(input.idTag, input.now);
  if (tagDecision.status !== 'Accepted') return tagDecision;
  const availability = connectorAvailability(input.connector);
  if (!availability.available) return { status: 'Unavailable', reason: availability.reason };
  return { status: 'Accepted', initialSessionStatus: availability.initialSessionStatus };
}

export type IdTagDecision =
  | { status: 'Accepted' }
  | { status: Exclude<AuthStatus, 'Accepted' | 'Unavailable'>; reason: TagRejectionReason };

type TagFacts = Pick<IdTagRecord, 'status' | 'expiresAt' | 'maxConcurrent' | 'activeSessionCount'>;

/** The tag's own rules, in OCPP's order: unknown (Invalid), Blocked, Expired, at its limit (ConcurrentTx). */
export function decideIdTag(idTag: TagFacts | undefined, now: Date): IdTagDecision {
  if (!idTag) return { status: 'Invalid', reason: tagRejectionReasons.Invalid };
  if (!sessionStartingTagStatuses.includes(idTag.status)) {
    return { status: 'Blocked', reason: tagRejectionReasons.Blocked };
  }
  if (idTag.expiresAt !== undefined && Date.parse(idTag.expiresAt) <= now.getTime()) {
    return { status: 'Expired', reason: tagRejectionReasons.Expired };
  }
  if (idTag.activeSessionCount >= idTag.maxConcurrent) {
    return { status: 'ConcurrentTx', reason: tagRejectionReasons.ConcurrentTx };
  }
  return { status: 'Accepted' };
}

/** OCPP idTagInfo for an idTag (Authorize, and later Start/StopTransaction): its status and expiry. */
export function idTagInfoOf(idTag: TagFacts | undefined, now: Date): IdTagInfo {
  const { status } = decideIdTag(idTag, now);
  return { status, ...(idTag?.expiresAt !== undefined ? { expiryDate: idTag.expiresAt } : {}) };
}

/** The answer on authorize/response. */
export function authorizeResponseOf(
  requestId: string,
  idTag: TagFacts | undefined,
  now: Date,
): AuthorizeResponsePayload {
  return { requestId, idTagInfo: idTagInfoOf(idTag, now), at: now.toISOString() };
}

export interface AuthRequestFacts {
  chargerId: string;
  requestId: string;
  connectorId: number;
  idTag: string;
}

/** The same requestId must carry the same content; a reuse with another tag or connector is bad input. */
export function assertSameAuthRequest(stored: AuthRequestFacts, incoming: AuthRequestFacts): void {
  if (stored.connectorId !== incoming.connectorId || stored.idTag !== incoming.idTag) {
    throw new BadInputError(
      'requestId',
      `already used by charger "${incoming.chargerId}" for another idTag or connector`,
    );
  }
}

export interface NewSessionInput {
  sessionId: string;
  request: AuthRequestFacts;
  userId: string;
  initialSessionStatus: 'Authorized' | 'Charging';
  /** Server receive time of the auth request. */
  startedAt: Date;
  /** The connector's last known register, if any. */
  energyStartWh: number | undefined;
  tariff: Tariff;
}

/** The session an Accepted decision creates. Tariff is snapshotted so a price change never rebills it. */
export function newSession(input: NewSessionInput): Session {
  const startedAt = input.startedAt.toISOString();
  return {
    sessionId: input.sessionId,
    chargerId: input.request.chargerId,
    connectorId: input.request.connectorId,
    userId: input.userId,
    idTag: input.request.idTag,
    status: input.initialSessionStatus,
    startedAt,
    ...(input.initialSessionStatus === 'Charging' ? { chargingStartedAt: startedAt } : {}),
    ...(input.energyStartWh !== undefined ? { energyStartWh: input.energyStartWh } : {}),
    energyWh: 0,
    costMinor: 0,
    pricePerKwhMinor: input.tariff.pricePerKwhMinor,
    currency: input.tariff.currency,
  };
}

/** Epoch ms at which an Authorized session expires if the connector is never plugged. */
export function sessionExpiryDueAt(
  startedAt: string,
  connectionTimeoutS = DEFAULT_CONNECTION_TIMEOUT_S,
): number {
  return Date.parse(startedAt) + connectionTimeoutS * 1000;
}

/** The auth attempt recorded for a decision: who, where, status, reason and when. */
export function authAttemptOf(
  request: AuthRequestFacts,
  decision: AuthorizationDecision,
  details: { userId: string | undefined; sessionId: string | undefined; decidedAt: Date },
): AuthAttempt {
  return {
    chargerId: request.chargerId,
    requestId: request.requestId,
    connectorId: request.connectorId,
    idTag: request.idTag,
    ...(details.userId !== undefined ? { userId: details.userId } : {}),
    status: decision.status,
    ...(decision.status !== 'Accepted' ? { reason: decision.reason } : {}),
    ...(decision.status === 'Accepted' && details.sessionId ? { sessionId: details.sessionId } : {}),
    decidedAt: details.decidedAt.toISOString(),
  };
}

/** The charger's answer, derived only from the stored attempt so a duplicate gets an identical answer. */
export function authResponseOf(attempt: AuthAttempt): AuthResponsePayload {
  return {
    requestId: attempt.requestId,
    status: attempt.status,
    ...(attempt.sessionId !== undefined ? { sessionId: attempt.sessionId } : {}),
    ...(attempt.reason !== undefined ? { reason: attempt.reason } : {}),
    at: attempt.decidedAt,
  };
}

export type SessionExpiryPlan =
  | { expire: false; reason: 'not-authorized' | 'not-due' }
  | {
      expire: true;
      /** False when the connector no longer points at this session (nothing to release). */
      releaseConnector: boolean;
      connectorStatus: ReturnType<typeof connectorStatusOf> | undefined;
      /** False when the tag's count is already 0: never below 0. */
      decrementTagCount: boolean;
    };

/**
 * What the session-expiry sweeper does with one due session. Only an Authorized session past the
 * connection timeout expires; the connector is released only if it still holds this session.
 */
export function planSessionExpiry(input: {
  session: Pick<Session, 'sessionId' | 'status' | 'startedAt'>;
  connector: ConnectorState | undefined;
  idTag: Pick<IdTagRecord, 'activeSessionCount'> | undefined;
  now: Date;
  connectionTimeoutS?: number;
}): SessionExpiryPlan {
  if (input.session.status !== 'Authorized') return { expire: false, reason: 'not-authorized' };
  if (!isSessionExpired(input.session, input.now, input.connectionTimeoutS)) {
    return { expire: false, reason: 'not-due' };
  }
  const releaseConnector = input.connector?.activeSessionId === input.session.sessionId;
  return {
    expire: true,
    releaseConnector,
    connectorStatus:
      releaseConnector && input.connector
        ? connectorStatusOf({
            plugged: input.connector.plugged,
            faulted: input.connector.faulted,
            unavailable: input.connector.unavailable,
          })
        : undefined,
    decrementTagCount: (input.idTag?.activeSessionCount ?? 0) > 0,
  };
}

// Contract v2 transactions (OCPP StartTransaction / StopTransaction).

/** The facts of a transaction/start: its key is (chargerId, connectorId, at). */
export interface TransactionStartFacts {
  chargerId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  /** Device time of the start: the session's start, the tag's `now`, the start record's key. */
  at: string;
}

export type TransactionStartDecision =
  /** A new Charging session. */
  | { kind: 'open'; idTagInfo: IdTagInfo }
  /** The Authorized/Charging session a v1 auth/request opened for this tag on this connector. */
  | { kind: 'attach'; idTagInfo: IdTagInfo; sessionId: string; sessionStatus: 'Authorized' | 'Charging' }
  /** No session: the tag is refused, or (refusal) the connector cannot take one. */
  | { kind: 'refused'; idTagInfo: IdTagInfo; refusal?: UnavailableReason };

export interface TransactionStartInput {
  start: TransactionStartFacts;
  charger: { chargerId: string } | undefined;
  connector: ConnectorState | undefined;
  idTag: TagFacts | undefined;
  /** The session the connector holds, when it holds one. */
  activeSession: Pick<Session, 'sessionId' | 'status' | 'idTag' | 'transactionId'> | undefined;
}

/**
 * Decides a transaction/start. An unregistered charger or a connector it does not have is bad input. A session a
 * v1 auth/request opened for the same tag on this connector is attached to (the tag already counts it, so its
 * limit is checked without it). Otherwise the tag decides (idTagInfo as OCPP Authorize), then the connector's
 * availability: a faulted or busy connector refuses with `Invalid`, the one AuthorizationStatus that tells the
 * charger to stop without blaming the tag's limit or expiry (the start record keeps the real `refusal`).
 */
export function decideTransactionStart(input: TransactionStartInput): TransactionStartDecision {
  const { start } = input;
  if (!input.charger) throw new BadInputError('chargerId', `charger "${start.chargerId}" is not registered`);
  if (!input.connector) {
    throw new BadInputError(
      'connectorId',
      `charger "${start.chargerId}" has no connector ${start.connectorId}`,
    );
  }
  const now = new Date(start.at);
  const session = input.activeSession;
  if (
    session &&
    session.sessionId === input.connector.activeSessionId &&
    (session.status === 'Authorized' || session.status === 'Charging') &&
    session.idTag === start.idTag &&
    session.transactionId === undefined
  ) {
    const tagWithoutThisSession = input.idTag && {
      ...input.idTag,
      activeSessionCount: Math.max(0, input.idTag.activeSessionCount - 1),
    };
    const idTagInfo = idTagInfoOf(tagWithoutThisSession, now);
    if (idTagInfo.status !== 'Accepted') return { kind: 'refused', idTagInfo };
    return { kind: 'attach', idTagInfo, sessionId: session.sessionId, sessionStatus: session.status };
  }
  const idTagInfo = idTagInfoOf(input.idTag, now);
  if (idTagInfo.status !== 'Accepted') return { kind: 'refused', idTagInfo };
  const availability = connectorAvailability(input.connector);
  if (!availability.available) {
    return { kind: 'refused', idTagInfo: { ...idTagInfo, status: 'Invalid' }, refusal: availability.reason };
  }
  return { kind: 'open', idTagInfo };
}

/**
 * The requestId of the user's remote start a transaction/start (same charger, connector and idTag) answers: the
 * pending remote start, untaken, and the start received within its attach window. Undefined otherwise.
 */
export function remoteStartAnswered(
  pending: Pick<PendingRemoteStart, 'requestId' | 'attachUntil' | 'sessionId'> | undefined,
  receivedAtMs: number,
): string | undefined {
  if (!pending || pending.sessionId !== undefined) return undefined;
  return receivedAtMs <= Date.parse(pending.attachUntil) ? pending.requestId : undefined;
}

/** A start with the key of a stored one is a repeat only with the same idTag and meterStart; else bad input. */
export function assertSameTransactionStart(stored: TransactionStart, incoming: TransactionStartFacts): void {
  if (stored.idTag !== incoming.idTag) {
    throw new BadInputError(
      'idTag',
      `a start on connector ${incoming.connectorId} at ${incoming.at} was already made with another idTag`,
    );
  }
  if (stored.meterStart !== incoming.meterStart) {
    throw new BadInputError(
      'meterStart',
      `a start on connector ${incoming.connectorId} at ${incoming.at} was already made with another meterStart`,
    );
  }
}

/** The Charging session an accepted start opens; the tariff is snapshotted as for any session. */
export function newTransactionSession(input: {
  sessionId: string;
  start: TransactionStartFacts;
  transactionId: number;
  userId: string;
  tariff: Tariff;
}): Session {
  return {
    sessionId: input.sessionId,
    chargerId: input.start.chargerId,
    connectorId: input.start.connectorId,
    userId: input.userId,
    idTag: input.start.idTag,
    status: 'Charging',
    startedAt: input.start.at,
    chargingStartedAt: input.start.at,
    energyStartWh: input.start.meterStart,
    energyStartAt: input.start.at,
    energyWh: 0,
    costMinor: 0,
    pricePerKwhMinor: input.tariff.pricePerKwhMinor,
    currency: input.tariff.currency,
    transactionId: input.transactionId,
  };
}

/** The largest transactionId (OCPP integer); the counter wraps past it (gaps and a wrap are fine, ids stay unique). */
export const MAX_TRANSACTION_ID = 2_147_483_647;

/** The transactionId a counter value gives: positive and 32-bit, wrapping after MAX_TRANSACTION_ID. */
export function transactionIdOf(counterValue: number): number {
  return ((counterValue - 1) % MAX_TRANSACTION_ID) + 1;
}

/** The answer on transaction/start/response, from the stored start so a repeat is answered the same. */
export function transactionStartResponseOf(
  requestId: string,
  start: TransactionStart,
): TransactionStartResponsePayload {
  return {
    requestId,
    transactionId: start.transactionId,
    ...(start.sessionId !== undefined ? { sessionId: start.sessionId } : {}),
    idTagInfo: start.idTagInfo,
    at: start.decidedAt,
  };
}

/** The facts of a transaction/stop. */
export interface TransactionStopFacts {
  chargerId: string;
  transactionId: number;
  meterStop: number;
  /** Device time of the stop: the session's end. */
  at: string;
  reason?: StopReason | undefined;
  idTag?: string | undefined;
}

/** OCPP: a stop without a reason stopped for `Local`. */
export const DEFAULT_STOP_REASON: StopReason = 'Local';

export type TransactionStopPlan =
  /** The stop names a transactionId this charger never started. */
  | { kind: 'orphan' }
  /** The transaction's stop is already recorded: change nothing, answer again. */
  | { kind: 'duplicate' }
  /** Record the stop on the transaction; no session to complete (a refused start, or one already ended). */
  | { kind: 'record'; reason: 'refused-start' | 'session-ended' }
  | {
      kind: 'complete';
      completion: SessionStopCompletion;
      /** False when the connector no longer holds this session. */
      releaseConnector: boolean;
      connectorStatus: ReturnType<typeof connectorStatusOf> | undefined;
      /** False when the tag's count is already 0: never below 0. */
      decrementTagCount: boolean;
    };

export interface SessionStopCompletion {
  endedAt: string;
  durationS: number;
  energyStartWh: number;
  latestRegisterWh: number;
  energyWh: number;
  costMinor: number;
  stopReason: StopReason;
}

/**
 * What a transaction/stop does. A meterStop below the transaction's meterStart is bad input (energy is never
 * clamped). A repeated stop changes nothing; a refused start's stop only records the stop.
 */
export function planTransactionStop(input: {
  stop: TransactionStopFacts;
  transaction: Transaction | undefined;
  session: Session | undefined;
  connector: ConnectorState | undefined;
  idTag: Pick<IdTagRecord, 'activeSessionCount'> | undefined;
}): TransactionStopPlan {
  const { stop, transaction, session } = input;
  if (!transaction || transaction.chargerId !== stop.chargerId) return { kind: 'orphan' };
  if (transaction.stoppedAt !== undefined) return { kind: 'duplicate' };
  if (stop.meterStop < transaction.meterStart) {
    throw new BadInputError(
      'meterStop',
      `${stop.meterStop} Wh is below the transaction's meterStart ${transaction.meterStart} Wh`,
    );
  }
  if (transaction.sessionId === undefined) return { kind: 'record', reason: 'refused-start' };
  if (!session || !isActiveSessionStatus(session.status)) return { kind: 'record', reason: 'session-ended' };
  const releaseConnector = input.connector?.activeSessionId === session.sessionId;
  return {
    kind: 'complete',
    completion: sessionStopCompletion(session, transaction, stop),
    releaseConnector,
    connectorStatus:
      releaseConnector && input.connector
        ? connectorStatusOf({
            plugged: input.connector.plugged,
            faulted: input.connector.faulted,
            unavailable: input.connector.unavailable,
          })
        : undefined,
    decrementTagCount: (input.idTag?.activeSessionCount ?? 0) > 0,
  };
}

/** Energy = meterStop − meterStart, cost at the session's own tariff, ended at the stop's device time. */
export function sessionStopCompletion(
  session: Pick<Session, 'startedAt' | 'chargingStartedAt' | 'pricePerKwhMinor' | 'currency'>,
  transaction: Pick<Transaction, 'meterStart'>,
  stop: Pick<TransactionStopFacts, 'meterStop' | 'at' | 'reason'>,
): SessionStopCompletion {
  const energyWh = stop.meterStop - transaction.meterStart;
  const chargingFromMs = Date.parse(session.chargingStartedAt ?? session.startedAt);
  // A charger clock stepped back between start and stop must not give a negative duration.
  const endMs = Math.max(Date.parse(stop.at), chargingFromMs);
  return {
    endedAt: new Date(endMs).toISOString(),
    durationS: Math.floor((endMs - chargingFromMs) / 1000),
    energyStartWh: transaction.meterStart,
    latestRegisterWh: stop.meterStop,
    energyWh,
    costMinor: costMinor(energyWh, {
      pricePerKwhMinor: session.pricePerKwhMinor,
      currency: session.currency,
    }),
    stopReason: stop.reason ?? DEFAULT_STOP_REASON,
  };
}

/** idTagInfo on a stop: the tag's status and expiry; its session limit does not apply to ending a session. */
export function stopIdTagInfoOf(idTag: TagFacts | undefined, now: Date): IdTagInfo {
  return idTagInfoOf(idTag && { ...idTag, activeSessionCount: 0 }, now);
}

/** The answer on transaction/stop/response; idTagInfo only when the stop named an idTag. */
export function transactionStopResponseOf(
  requestId: string,
  idTagInfo: IdTagInfo | undefined,
  now: Date,
): TransactionStopResponsePayload {
  return { requestId, ...(idTagInfo ? { idTagInfo } : {}), at: now.toISOString() };
}
