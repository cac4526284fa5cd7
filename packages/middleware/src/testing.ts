import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A minimal Lambda context for calling a handler directly in tests and benchmarks: enough for middy,
 * the correlated logger and the dead-letter record. (`@evcharge/middleware/testing`, never bundled.)
 */
export function createLambdaContext(
  functionName = 'test-function',
  overrides: Partial<Context> = {},
): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
