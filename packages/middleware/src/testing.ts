import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Lambda's default timeout, for a context whose function has none configured. */
const defaultTimeoutMs = 6_000;

/**
 * A minimal Lambda context for calling a handler directly in tests and benchmarks: enough for middy,
 * the correlated logger and the dead-letter record. Its remaining time counts down from `timeoutMs` from
 * the moment it is made, as Lambda's does from the invocation's start (middy ends the call 5 ms before).
 * (`@evcharge/middleware/testing`, never bundled.)
 */
export function createLambdaContext(
  functionName = 'test-function',
  overrides: Partial<Context> = {},
  timeoutMs = defaultTimeoutMs,
): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
