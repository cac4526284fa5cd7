import { audited } from '@evcharge/dynamo';
import { createLogger, jsonResponse, operatorRoute } from '@evcharge/middleware';
import { publishRemoteStop } from '../adapters/publish-remote-request.js';
import { remoteRequestDeps } from '../remote-request-deps.js';
import { requestOperatorRemoteStop } from '../remote-requests.js';

const logger = createLogger('metering-ops');
const deps = remoteRequestDeps(publishRemoteStop, logger);

/** POST /ops/api/sessions/{sessionId}/stop (operators): the user's remote stop for any session, audited. */
export const handler = operatorRoute(logger, async (event, operatorId) => {
  const sessionId = event.pathParameters?.sessionId ?? '';
  const accepted = await audited(
    { table: deps.table, now: deps.now },
    { operatorId, action: 'remote-stop', target: `session ${sessionId}` },
    () => requestOperatorRemoteStop(deps, operatorId, event.pathParameters),
    (result) => `requestId ${result.requestId}`,
  );
  return jsonResponse(202, accepted);
});
