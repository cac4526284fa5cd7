import { createLogger, jsonResponse } from '@evcharge/middleware';
import { lambdaInvoke } from '@evcharge/operations';
import { sqs } from '../adapters/sqs.js';
import { deadLetterServices, stage, table } from '../config.js';
import { redriveSelected, selectedLettersOf } from '../dead-letters.js';
import { jsonBodyOf, operatorRoute } from '../operator-route.js';

const logger = createLogger('ops-console-dead-letters');
const deps = { table, sqs, invoke: lambdaInvoke, services: deadLetterServices, stage, now: () => new Date() };

/** POST /ops/api/dead-letters/redrive {letters: [{queue, messageId}]}: replays them (`npm run redrive`'s path). */
export const handler = operatorRoute(logger, async (event, operatorId) =>
  jsonResponse(
    200,
    await redriveSelected(deps, operatorId, selectedLettersOf(jsonBodyOf(event), deadLetterServices, stage)),
  ),
);
