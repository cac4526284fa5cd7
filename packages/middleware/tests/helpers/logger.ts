import { Logger } from '@aws-lambda-powertools/logger';
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';

export type LogLine = Record<string, unknown> & { level: string; message: string };

/** A real Powertools Logger whose JSON lines are captured (stdout and stderr) instead of printed. */
export function capturedLogger(): { logger: Logger; lines: LogLine[]; restore: () => void } {
  const lines: LogLine[] = [];
  const capture = (chunk: unknown) => {
    for (const text of String(chunk).split('\n')) {
      if (text.trim().startsWith('{')) lines.push(JSON.parse(text) as LogLine);
    }
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  const logger = new Logger({ serviceName: 'middleware-test', logLevel: 'DEBUG' });
  return {
    logger,
    lines,
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

/** The minimal Lambda context middy needs. */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'heartbeat-local-record',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:heartbeat-local-record',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/heartbeat-local-record',
    logStreamName: '2026/11/25/[$LATEST]abc',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
