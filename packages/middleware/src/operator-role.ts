import { OPERATORS_GROUP } from '@evcharge/domain';
import { httpHandler } from './handlers.js';
import { type HttpEvent, type HttpResult, jsonResponse, userIdOf } from './http.js';
import type { createLogger } from './logger.js';

// Every operator route, whichever service owns it: API Gateway has verified the JWT; this edge checks the
// operator role on each request.

type Logger = ReturnType<typeof createLogger>;
const GROUPS_CLAIM = 'cognito:groups';

/**
 * The groups of a verified token. API Gateway's JWT authorizer hands an array claim over as one string,
 * `[operators admins]`; other issuers (and tests) may pass `operators,admins` or a real array.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}

export function isOperator(event: HttpEvent): boolean {
  return groupsOf(event.requestContext?.authorizer?.jwt?.claims?.[GROUPS_CLAIM]).includes(OPERATORS_GROUP);
}

export type OperatorRoute = (event: HttpEvent, operatorId: string) => Promise<HttpResult>;

/** 401 without a subject, 403 for a signed-in user outside `operators`, else the route; errors map at the edge. */
export function operatorRoute(logger: Logger, route: OperatorRoute) {
  return httpHandler({
    logger,
    handler: async (event) => {
      const operatorId = userIdOf(event);
      if (!isOperator(event)) {
        logger.warn('refused a user outside the operators group', { userId: operatorId });
        return jsonResponse(403, { message: `forbidden: the ${OPERATORS_GROUP} group only` });
      }
      return route(event, operatorId);
    },
  });
}
