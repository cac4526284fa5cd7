import { authRequestEventSchema } from '@evcharge/domain';
import { createLogger, iotHandler, sqsDeadLetterSink } from '@evcharge/middleware';
import { publishToCharger } from '@evcharge/middleware/publish-to-charger';

import { table } from '../config.js';
import { authResponseOf } from '../rules.js';
import { connectionTimeoutS, tariff } from '../session-config.js';
import { authorizeCharge } from '../store.js';

const logger = createLogger('charge-authorization');

/**
 * chargers/{chargerId}/auth/request → one decision, committed, then answered on auth/response.
 * Identity is the topic's chargerId (the middleware has refused spoofs). A duplicate request gets the
 * stored decision published again, so a retry after "committed, then failed to publish" still answers.
 */
export const handler = iotHandler({
  schema: authRequestEventSchema,
  logger,
  deadLetter: sqsDeadLetterSink(),
  handler: async (event) => {
    const { attempt, duplicate } = await authorizeCharge(
      table,
      {
        chargerId: event.chargerId,
        requestId: event.requestId,
        connectorId: event.connectorId,
        idTag: event.idTag,
        receivedAtMs: event.receivedAt,
      },
      { tariff, connectionTimeoutS },
    );
    const response = authResponseOf(attempt);
    await publishToCharger('authResponse', event.chargerId, response);
    logger.info('auth request answered', { status: response.status, reason: response.reason, duplicate });
    return response;
  },
});
