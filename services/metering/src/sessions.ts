import {
  ConflictError,
  isActiveSessionStatus,
  type MeterRequestAccepted,
  NotFoundError,
  parseOrThrow,
  type Session,
  type SessionStatusView,
  type SessionSummary,
  sessionIdPathSchema,
} from '@evcharge/domain';
import { createMeterRequest, getSession, type TableContext } from '@evcharge/dynamo';
import type { PublishMeterRequest } from './adapters/publish-meter-request.js';
import { meterRequestDueAt } from './rules.js';
import { listUserSessions } from './store.js';

// The user API: a user sees only their own sessions; anyone else's answers exactly like a missing one.

function summaryOf(session: Session): SessionSummary {
  return {
    sessionId: session.sessionId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    status: session.status,
    startedAt: session.startedAt,
    ...(session.endedAt ? { endedAt: session.endedAt } : {}),
    energyWh: session.energyWh,
    costMinor: session.costMinor,
    currency: session.currency,
  };
}

function statusViewOf(session: Session): SessionStatusView {
  return {
    ...summaryOf(session),
    ...(session.powerW === undefined ? {} : { powerW: session.powerW }),
    ...(session.lastReadingAt ? { lastReadingAt: session.lastReadingAt } : {}),
  };
}

/** The caller's session named by the path; a missing one and someone else's are the same NotFoundError. */
export async function ownSession(
  table: TableContext,
  userId: string,
  pathParameters: unknown,
): Promise<Session> {
  const { sessionId } = parseOrThrow(sessionIdPathSchema, pathParameters ?? {});
  const session = await getSession(table, sessionId);
  // One answer for "missing" and "someone else's": the caller must not learn which.
  if (!session || session.userId !== userId) throw new NotFoundError('session not found');
  return session;
}

/** Any session by its path parameter, for an operator route: 404 only when it does not exist. */
export async function anySession(table: TableContext, pathParameters: unknown): Promise<Session> {
  const { sessionId } = parseOrThrow(sessionIdPathSchema, pathParameters ?? {});
  const session = await getSession(table, sessionId);
  if (!session) throw new NotFoundError('session not found');
  return session;
}

export async function listMySessions(table: TableContext, userId: string): Promise<SessionSummary[]> {
  return (await listUserSessions(table, userId)).map(summaryOf);
}

export async function getSessionStatus(
  table: TableContext,
  userId: string,
  pathParameters: unknown,
): Promise<SessionStatusView> {
  return statusViewOf(await ownSession(table, userId, pathParameters));
}

export interface MeterRequestDeps {
  table: TableContext;
  publish: PublishMeterRequest;
  timeoutS: number;
  newRequestId: () => string;
  now: () => Date;
}

/**
 * Records the pending request with its deadline armed, then asks the charger. Recorded first, so an
 * answer can never arrive before its request exists; if the publish fails, the deadline still resolves
 * the request as unavailable.
 */
export async function requestMeterReading(
  deps: MeterRequestDeps,
  userId: string,
  pathParameters: unknown,
): Promise<MeterRequestAccepted> {
  const session = await ownSession(deps.table, userId, pathParameters);
  if (!isActiveSessionStatus(session.status)) throw new ConflictError('session is not active');
  const requestedAt = deps.now();
  const requestId = deps.newRequestId();
  await createMeterRequest(
    deps.table,
    {
      requestId,
      sessionId: session.sessionId,
      chargerId: session.chargerId,
      connectorId: session.connectorId,
      userId,
      status: 'pending',
      requestedAt: requestedAt.toISOString(),
    },
    meterRequestDueAt(requestedAt, deps.timeoutS),
  );
  await deps.publish(session.chargerId, {
    requestId,
    connectorId: session.connectorId,
    at: requestedAt.toISOString(),
  });
  return { requestId };
}
