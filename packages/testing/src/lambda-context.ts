import { createLambdaContext } from '@evcharge/middleware/testing';
import type { Context } from 'aws-lambda';

/**
 * The context Lambda would give `<service>.<functionKey>`: its name on the local stage and a remaining time
 * that counts down from the timeout in its serverless.yml (read once per jest run by the global setup).
 */
export function lambdaContextFor(
  service: string,
  functionKey: string,
  overrides: Partial<Context> = {},
): Context {
  const timeouts = JSON.parse(process.env.TEST_FUNCTION_TIMEOUTS ?? '{}') as Record<string, number>;
  const timeoutMs = timeouts[`${service}.${functionKey}`];
  if (timeoutMs === undefined)
    throw new Error(
      `no function ${functionKey} in services/${service}/serverless.yml (or no jest global setup)`,
    );
  return createLambdaContext(`${service}-local-${functionKey}`, overrides, timeoutMs);
}
