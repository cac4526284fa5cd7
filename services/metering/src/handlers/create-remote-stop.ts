import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { publishRemoteStop } from '../adapters/publish-remote-request.js';
import { remoteRequestDeps } from '../remote-request-deps.js';
import { requestRemoteStop } from '../remote-requests.js';

const logger = createLogger('metering-api');
const deps = remoteRequestDeps(publishRemoteStop, logger);

/** POST /sessions/{sessionId}/stop → 202 {requestId}; 409 when not active or a v1 session; 404 as GET. */
export const handler = httpHandler({
  logger,
  handler: async (event) =>
    jsonResponse(202, await requestRemoteStop(deps, userIdOf(event), event.pathParameters)),
});
