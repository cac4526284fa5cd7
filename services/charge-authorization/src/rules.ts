import {
  type AuthAttempt,
  type AuthorizeResponsePayload,
  type AuthResponsePayload,
  type AuthStatus,
  BadInputError,
  type ConnectorState,
  connectorAvailability,
  connectorStatusOf,
  DEFAULT_CONNECTION_TIMEOUT_S,
  type IdTagInfo,
  type IdTagRecord,
  isSessionExpired,
  type Session,
  type TagRejectionReason,
  type Tariff,
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
        ? connectorStatusOf({ plugged: input.connector.plugged, faulted: input.connector.faulted })
        : undefined,
    decrementTagCount: (input.idTag?.activeSessionCount ?? 0) > 0,
  };
}
