import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../src/index.js';

export const probeServiceDir = join(import.meta.dirname, '../fixtures/services/probe');

/** A local cloud running only the test-only probe service, on free ports and jest's DynamoDB Local. */
export function startProbeCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  return startLocalCloud({
    services: [probeServiceDir],
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0 },
    ...(process.env.AWS_ENDPOINT_URL_DYNAMODB
      ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
      : {}),
    tableName: `probe-${randomUUID().slice(0, 8)}`,
    quiet: true,
    asyncRetryDelayMs: () => 20,
    ...options,
  });
}

/** The probe handlers report what they saw as SNS messages `{kind, detail}`. */
export function reports<Detail>(cloud: LocalCloud, kind: string): Detail[] {
  return cloud
    .notifications()
    .map((notification) => JSON.parse(notification.message) as { kind: string; detail: Detail })
    .filter((report) => report.kind === kind)
    .map((report) => report.detail)
    .reverse();
}
