import {
  BadInputError,
  ConflictError,
  isActiveSessionStatus,
  NotFoundError,
  type PendingRemoteStart,
  parseOrThrow,
  type RemoteRequest,
  type RemoteRequestAccepted,
  type RemoteResponseEvent,
  remoteStartRequestSchema,
  type Session,
} from '@evcharge/domain';
import {
  type DueItemKey,
  getCharger,
  getConnector,
  getIdTag,
  mapConcurrently,
  queryDueItems,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import type { PublishRemoteStart, PublishRemoteStop } from './adapters/publish-remote-request.js';
import type { TimeoutReport } from './meter-request-timeouts.js';
import {
  idTagStanding,
  planRemoteResolution,
  type RemoteOutcome,
  recentIdTags,
  remoteRequestExpiresAt,
  remoteStartAttachUntil,
  remoteStartRefusal,
} from './remote-request-rules.js';
import {
  createRemoteStart,
  createRemoteStop,
  getPendingRemoteStart,
  getRemoteRequest,
  getRemoteRequestByKey,
  getSessionConsistent,
  resolutionItems,
} from './remote-request-store.js';
import type { RemoteRequestTimer } from './request-timer.js';
import { anySession, ownSession } from './sessions.js';
import { listUserSessions } from './store.js';

// Remote start/stop from the app: the routes record the request (pending, its deadline armed) before the
// charger is asked; the charger's remote/response, or the timeout, moves it out of pending exactly once.

export interface RemoteRequestDeps<Publish> {
  table: TableContext;
  publish: Publish;
  timeoutS: number;
  newRequestId: () => string;
  now: () => Date;
}

/** A JSON request body (API Gateway may hand it over base64-encoded). */
export interface HttpBody {
  body?: string | undefined;
  isBase64Encoded?: boolean | undefined;
}

function jsonBodyOf(http: HttpBody): unknown {
  const text = http.isBase64Encoded ? Buffer.from(http.body ?? '', 'base64').toString('utf8') : http.body;
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new BadInputError('(body)', 'must be a JSON object');
  }
}

/**
 * POST /me/sessions: asks the charger to start for the caller, with the named idTag (one of the caller's) or
 * else the caller's most recently used active idTag. Unknown charger, connector or tag: 404; an offline
 * charger, a faulted, unavailable or busy connector, or a tag that cannot start: 409.
 */
export async function requestRemoteStart(
  deps: RemoteRequestDeps<PublishRemoteStart>,
  userId: string,
  http: HttpBody,
): Promise<RemoteRequestAccepted> {
  const body = parseOrThrow(remoteStartRequestSchema, jsonBodyOf(http));
  const { table } = deps;
  const [charger, connector] = await Promise.all([
    getCharger(table, body.chargerId),
    getConnector(table, body.chargerId, body.connectorId),
  ]);
  const refusal = remoteStartRefusal(charger, connector);
  if (refusal?.kind === 'not-found') throw new NotFoundError('charger or connector not found');
  if (refusal) throw new ConflictError(refusal.reason);

  const requestedAt = deps.now();
  const idTag = await startingIdTag(table, userId, body.idTag, requestedAt);
  const requestId = deps.newRequestId();
  const expiresAt = remoteRequestExpiresAt(requestedAt, deps.timeoutS);
  const request: RemoteRequest = {
    requestId,
    action: 'start',
    chargerId: body.chargerId,
    connectorId: body.connectorId,
    userId,
    idTag,
    status: 'pending',
    requestedAt: requestedAt.toISOString(),
    expiresAt,
  };
  const pendingStart: PendingRemoteStart = {
    chargerId: body.chargerId,
    connectorId: body.connectorId,
    idTag,
    requestId,
    requestedAt: request.requestedAt,
    attachUntil: remoteStartAttachUntil(expiresAt),
  };
  await createRemoteStart(table, request, pendingStart);
  await deps.publish(body.chargerId, {
    requestId,
    connectorId: body.connectorId,
    idTag,
    expiresAt,
    at: request.requestedAt,
  });
  return { requestId };
}

/** The named tag if it is the caller's and active, else the caller's most recently used active tag. */
async function startingIdTag(
  table: TableContext,
  userId: string,
  named: string | undefined,
  now: Date,
): Promise<string> {
  if (named !== undefined) {
    const standing = idTagStanding(await getIdTag(table, named), userId, now);
    if (standing === 'not-theirs') throw new NotFoundError('idTag not found');
    if (standing === 'inactive') throw new ConflictError('idTag is blocked or expired');
    return named;
  }
  for (const candidate of recentIdTags(await listUserSessions(table, userId))) {
    if (idTagStanding(await getIdTag(table, candidate), userId, now) === 'active') return candidate;
  }
  throw new NotFoundError('no active idTag');
}

/**
 * POST /sessions/{sessionId}/stop: asks the charger to stop the caller's session's transaction. 404 as GET;
 * 409 when the session is not active or has no transaction (a v1 session ends by unplugging).
 */
export async function requestRemoteStop(
  deps: RemoteRequestDeps<PublishRemoteStop>,
  userId: string,
  pathParameters: unknown,
): Promise<RemoteRequestAccepted> {
  return remoteStop(deps, await ownSession(deps.table, userId, pathParameters));
}

/**
 * An operator's remote stop (the console): any session, the same request as the user's, its user still told
 * the outcome (`session.completed` with the requestId); the operator is kept on the request.
 */
export async function requestOperatorRemoteStop(
  deps: RemoteRequestDeps<PublishRemoteStop>,
  operatorId: string,
  pathParameters: unknown,
): Promise<RemoteRequestAccepted> {
  return remoteStop(deps, await anySession(deps.table, pathParameters), operatorId);
}

async function remoteStop(
  deps: RemoteRequestDeps<PublishRemoteStop>,
  session: Session,
  operatorId?: string,
): Promise<RemoteRequestAccepted> {
  if (!isActiveSessionStatus(session.status)) throw new ConflictError('session is not active');
  if (session.transactionId === undefined) {
    throw new ConflictError('session has no OCPP transaction (a v1 session): stop it at the charger');
  }
  const requestedAt = deps.now();
  const requestId = deps.newRequestId();
  const expiresAt = remoteRequestExpiresAt(requestedAt, deps.timeoutS);
  const request: RemoteRequest = {
    requestId,
    action: 'stop',
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    userId: session.userId,
    ...(operatorId ? { operatorId } : {}),
    idTag: session.idTag,
    sessionId: session.sessionId,
    transactionId: session.transactionId,
    status: 'pending',
    requestedAt: requestedAt.toISOString(),
    expiresAt,
  };
  if (!(await createRemoteStop(deps.table, request, session))) {
    throw new ConflictError('session is not active');
  }
  await deps.publish(session.chargerId, {
    requestId,
    transactionId: session.transactionId,
    sessionId: session.sessionId,
    expiresAt,
    at: request.requestedAt,
  });
  return { requestId };
}

export type RemoteResolutionOutcome = 'resolved' | 'not-pending';

/**
 * Moves a pending request out of pending once, conditionally on what it read (the request pending, the pending
 * start or the session as read); a lost race reads again. A request that is no longer pending changes nothing.
 */
async function resolveRemoteRequest(
  table: TableContext,
  request: RemoteRequest | undefined,
  outcome: RemoteOutcome,
  now: Date,
): Promise<RemoteResolutionOutcome> {
  if (!request) return 'not-pending';
  return transact<RemoteResolutionOutcome>(table, `remote request ${request.requestId}`, async (attempt) => {
    const current =
      attempt === 1 ? request : await getRemoteRequest(table, request.chargerId, request.requestId);
    if (current?.status !== 'pending') return { done: 'not-pending' };
    const [pendingStart, session] = await Promise.all([
      current.action === 'start' ? getPendingRemoteStart(table, current) : undefined,
      current.sessionId ? getSessionConsistent(table, current.sessionId) : undefined,
    ]);
    const resolution = planRemoteResolution({ request: current, outcome, pendingStart, session });
    if (!resolution) return { done: 'not-pending' };
    const items = resolutionItems(table, {
      request: current,
      resolution,
      resolvedAt: now.toISOString(),
      answer:
        outcome.kind === 'answer' ? { answer: outcome.answer, answeredAt: outcome.answeredAt } : undefined,
    });
    return { items, result: 'resolved', conditionFailed: () => 'reread' };
  });
}

/**
 * The charger's remote/response: records its answer on the pending request. A repeated answer, or one after the
 * timeout, changes nothing; a requestId this charger was never sent is bad input.
 */
export async function recordRemoteResponse(
  table: TableContext,
  event: RemoteResponseEvent,
  now: Date,
): Promise<RemoteResolutionOutcome> {
  const request = await getRemoteRequest(table, event.chargerId, event.requestId);
  if (!request) throw new BadInputError('requestId', 'is not a remote request sent to this charger');
  return resolveRemoteRequest(
    table,
    request,
    { kind: 'answer', answer: event.status, answeredAt: event.at },
    now,
  );
}

/** A timer message arrived: a still pending request times out. */
export async function resolveTimedOutRemoteRequest(
  table: TableContext,
  timer: RemoteRequestTimer,
  now: Date,
): Promise<boolean> {
  const request = await getRemoteRequest(table, timer.chargerId, timer.requestId);
  return (await resolveRemoteRequest(table, request, { kind: 'timeout' }, now)) === 'resolved';
}

const CONCURRENCY = 25;

/** The backstop: every pending remote request past its deadline times out (timer never sent or dead-lettered). */
export async function resolveTimedOutRemoteRequests(table: TableContext, now: Date): Promise<TimeoutReport> {
  const { items } = await queryDueItems(table, 'remote-request', now.getTime());
  const outcomes = await mapConcurrently(items, CONCURRENCY, async (key: DueItemKey) =>
    resolveRemoteRequest(table, await getRemoteRequestByKey(table, key), { kind: 'timeout' }, now),
  );
  return { due: items.length, resolved: outcomes.filter((outcome) => outcome === 'resolved').length };
}
