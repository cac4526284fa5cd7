import { createLogger, jsonResponse } from '@evcharge/middleware';
import { listDeadLetters } from '@evcharge/operations';
import { sqs } from '../adapters/sqs.js';
import { deadLetterServices, stage } from '../config.js';
import { operatorRoute } from '../operator-route.js';

const logger = createLogger('ops-console-dead-letters');

/** GET /ops/api/dead-letters: every service's letters with reason and class; none deleted or kept hidden. */
export const handler = operatorRoute(logger, async () =>
  jsonResponse(200, {
    deadLetters: await listDeadLetters({ sqs, services: deadLetterServices, stage }),
  }),
);
