import { createLogger, httpHandler, jsonResponse, userIdOf } from '@evcharge/middleware';
import { publishRemoteStart } from '../adapters/publish-remote-request.js';
import { remoteRequestDeps } from '../remote-request-deps.js';
import { requestRemoteStart } from '../remote-requests.js';

const logger = createLogger('metering-api');
const deps = remoteRequestDeps(publishRemoteStart, logger);

/** POST /me/sessions {chargerId, connectorId, idTag?} → 202 {requestId}; 404 unknown; 409 offline or busy. */
export const handler = httpHandler({
  logger,
  handler: async (event) => jsonResponse(202, await requestRemoteStart(deps, userIdOf(event), event)),
});
