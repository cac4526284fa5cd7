import {
  type Charger,
  type ConnectorState,
  connectorAvailability,
  DEFAULT_CONNECTION_TIMEOUT_S,
  type IdTagRecord,
  isActiveSessionStatus,
  type PendingRemoteStart,
  type RemoteRequest,
  type RemoteRequestStatus,
  type RemoteResponsePayload,
  type Session,
  type UnavailableReason,
} from '@evcharge/domain';

// Remote start/stop from the app, pure: what may be sent, which idTag starts, and how a request leaves
// `pending`. The store writes each decision conditionally on the state it was made from.

export const DEFAULT_REMOTE_REQUEST_TIMEOUT_S = 30;

/** The one status a remote request resolves from; the store's conditional writes are built from it too. */
export const RESOLVABLE_REMOTE_REQUEST_STATUS = 'pending' satisfies RemoteRequestStatus;

/** When the charger must drop the request unexecuted, and when it times out if unanswered (ISO). */
export function remoteRequestExpiresAt(
  requestedAt: Date,
  timeoutS = DEFAULT_REMOTE_REQUEST_TIMEOUT_S,
): string {
  return new Date(requestedAt.getTime() + timeoutS * 1000).toISOString();
}

/**
 * Until when a transaction/start on the same charger, connector and idTag is this remote start's: the charger
 * acts on it before expiresAt, then starts once the car is plugged, within its connection timeout.
 */
export function remoteStartAttachUntil(
  expiresAt: string,
  connectionTimeoutS = DEFAULT_CONNECTION_TIMEOUT_S,
): string {
  return new Date(Date.parse(expiresAt) + connectionTimeoutS * 1000).toISOString();
}

export type RemoteStartRefusal = { kind: 'not-found' } | { kind: 'conflict'; reason: string };

const connectorConflicts: Record<UnavailableReason, string> = {
  'connector-unknown': 'connector is unknown',
  'connector-faulted': 'connector is faulted',
  'connector-unavailable': 'connector is unavailable',
  'connector-busy': 'connector is busy',
};

/**
 * Why a remote start cannot be sent now, or undefined when it can: an unknown charger or connector is not
 * found; an offline or not yet commissioned (Pending) charger, or a faulted, unavailable or busy connector, is
 * a conflict.
 */
export function remoteStartRefusal(
  charger: Pick<Charger, 'status' | 'registrationStatus'> | undefined,
  connector: ConnectorState | undefined,
): RemoteStartRefusal | undefined {
  if (!charger) return { kind: 'not-found' };
  const availability = connectorAvailability(connector);
  if (!availability.available && availability.reason === 'connector-unknown') return { kind: 'not-found' };
  if (charger.status !== 'online') return { kind: 'conflict', reason: 'charger is offline' };
  if (charger.registrationStatus === 'Pending')
    return { kind: 'conflict', reason: 'charger is not commissioned' };
  if (!availability.available) return { kind: 'conflict', reason: connectorConflicts[availability.reason] };
  return undefined;
}

/** Whose the tag is, and whether it may start now. charge-authorization still decides the start itself. */
export type IdTagStanding = 'not-theirs' | 'inactive' | 'active';

export function idTagStanding(
  tag: Pick<IdTagRecord, 'userId' | 'status' | 'expiresAt'> | undefined,
  userId: string,
  now: Date,
): IdTagStanding {
  if (!tag || tag.userId !== userId) return 'not-theirs';
  if (tag.status !== 'Accepted') return 'inactive';
  if (tag.expiresAt !== undefined && Date.parse(tag.expiresAt) <= now.getTime()) return 'inactive';
  return 'active';
}

/** The tags of the user's sessions (newest first), each once: the candidates for "most recently used". */
export function recentIdTags(sessionsNewestFirst: readonly Pick<Session, 'idTag'>[]): string[] {
  return [...new Set(sessionsNewestFirst.map((session) => session.idTag))];
}

/** What moves a pending request: the charger's answer (with its device time), or the timeout. */
export type RemoteOutcome =
  | { kind: 'answer'; answer: RemoteResponsePayload['status']; answeredAt: string }
  | { kind: 'timeout' };

export interface RemoteResolution {
  status: Exclude<RemoteRequestStatus, 'pending'>;
  /** `session`: the session already carried the requestId to the user, so the request settles silently. */
  resolvedBy: 'response' | 'timeout' | 'session';
  /** Remove the pending start: it is this request's, and no transaction/start has taken it. */
  clearPendingStart: boolean;
  /** Remove the session's remoteStopRequestId: it is this request's and the session is still active. */
  clearSessionStop: boolean;
}

export interface RemoteResolutionInput {
  request: RemoteRequest | undefined;
  outcome: RemoteOutcome;
  /** A start's pending start for (charger, connector, idTag), as read. */
  pendingStart?: PendingRemoteStart | undefined;
  /** A stop's session, as read. */
  session?: Pick<Session, 'status' | 'remoteStopRequestId'> | undefined;
}

/**
 * How a request leaves `pending`, or undefined when it already has (a repeated or late answer, a second timer):
 * - the session already told the user (a start whose transaction/start took it; a stop whose session completed
 *   carrying it): `accepted`, silently, whatever the answer, so the user hears exactly one outcome;
 * - `Accepted`: accepted; the session's own notification follows;
 * - `Rejected` or the timeout: rejected / timed-out, and what still points at the request is cleared, so a later
 *   start or stop is never credited to it.
 */
export function planRemoteResolution(input: RemoteResolutionInput): RemoteResolution | undefined {
  const { request, outcome } = input;
  if (request?.status !== RESOLVABLE_REMOTE_REQUEST_STATUS) return undefined;
  const startIsOurs = input.pendingStart?.requestId === request.requestId;
  const stopIsOurs = input.session?.remoteStopRequestId === request.requestId;
  const sessionActive = input.session !== undefined && isActiveSessionStatus(input.session.status);
  const deliveredBySession =
    request.action === 'start'
      ? startIsOurs && input.pendingStart?.sessionId !== undefined
      : stopIsOurs && !sessionActive;
  const silent = { clearPendingStart: false, clearSessionStop: false };
  if (deliveredBySession) return { status: 'accepted', resolvedBy: 'session', ...silent };
  if (outcome.kind === 'answer' && outcome.answer === 'Accepted') {
    return { status: 'accepted', resolvedBy: 'response', ...silent };
  }
  return {
    status: outcome.kind === 'timeout' ? 'timed-out' : 'rejected',
    resolvedBy: outcome.kind === 'timeout' ? 'timeout' : 'response',
    clearPendingStart: request.action === 'start' && startIsOurs,
    clearSessionStop: request.action === 'stop' && stopIsOurs && sessionActive,
  };
}
