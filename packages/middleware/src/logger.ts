import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per function, created at module scope. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}

export type { Logger };
