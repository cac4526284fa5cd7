import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { addIdTag, registerCharger } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/dynamo/local';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkTableInvariants } from '../src/invariants.js';
import { type RecordingAws, startRecordingAws } from '../src/recording-aws.js';
import { repoRoot } from '../src/templates.js';

// 50 parallel auth requests per connector across 20 connectors, through the real authorize handler.
const chargers = 10;
const connectorsPerCharger = 2;
const requestsPerConnector = 50;
const tags = 50;
const lambdaRetries = 2; // what Lambda does with a thrown (transient) error on an async invoke

type Handler = (event: unknown, context: object) => Promise<unknown>;
let table: TestTable;
let aws: RecordingAws;
let authorize: Handler;

beforeAll(async () => {
  table = await createTestTable('concurrency');
  aws = await startRecordingAws();
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DEAD_LETTER_QUEUE_URL: `${aws.endpoint}/000000000000/concurrency-dead-letters`,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TARIFF_PRICE_PER_KWH_MINOR: '350',
    TARIFF_CURRENCY: 'KRW',
    CONNECTION_TIMEOUT_S: '120',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler: authorize } = (await import(
    join(repoRoot, 'services/charge-authorization/src/handlers/authorize.ts')
  )) as { handler: Handler });
  const now = new Date();
  for (let c = 1; c <= chargers; c++) {
    await registerCharger(table, {
      chargerId: `CP-CONC-${c}`,
      connectorCount: connectorsPerCharger,
      credentialHash: 'unused',
      now,
    });
  }
  for (let t = 1; t <= tags; t++) {
    await addIdTag(table, { idTag: `TAG-CONC-${t}`, userId: `user-${t}`, maxConcurrent: 100 });
  }
}, 60_000);

afterAll(async () => {
  await aws?.close();
  await table?.drop();
});

describe('concurrent auth requests', () => {
  it(`${requestsPerConnector} parallel requests on each of ${chargers * connectorsPerCharger} connectors open exactly one session each`, async () => {
    let thrown = 0;
    let failedAfterRetries = 0;
    const invokeWithRetries = async (event: object) => {
      for (let attempt = 0; attempt <= lambdaRetries; attempt++) {
        try {
          return await authorize(event, {
            functionName: 'charge-authorization-local-authorize',
            awsRequestId: randomUUID(),
          });
        } catch {
          thrown++;
        }
      }
      failedAfterRetries++;
      return undefined;
    };
    const requests: Promise<unknown>[] = [];
    for (let c = 1; c <= chargers; c++) {
      for (let connectorId = 1; connectorId <= connectorsPerCharger; connectorId++) {
        for (let r = 0; r < requestsPerConnector; r++) {
          const chargerId = `CP-CONC-${c}`;
          requests.push(
            invokeWithRetries({
              requestId: randomUUID(),
              connectorId,
              idTag: `TAG-CONC-${1 + (r % tags)}`,
              at: new Date().toISOString(),
              chargerId,
              clientId: chargerId,
              receivedAt: Date.now(),
            }),
          );
        }
      }
    }
    const started = Date.now();
    await Promise.all(requests);
    const elapsedMs = Date.now() - started;
    const responses = aws.calls
      .filter((call) => call.service === 'iot-data')
      .map((call) => JSON.parse(call.body) as { status: string });
    const accepted = responses.filter((response) => response.status === 'Accepted').length;
    const invariants = await checkTableInvariants(table);
    console.log(
      [
        'reliability: concurrency',
        `  requests=${requests.length} connectors=${chargers * connectorsPerCharger} sessions=${invariants.sessions} accepted=${accepted} responses=${responses.length}`,
        `  thrown (Lambda would retry)=${thrown} failed after retries=${failedAfterRetries} invariant violations=${invariants.violations.length} elapsed=${elapsedMs} ms`,
      ].join('\n'),
    );
    expect(invariants.sessions).toBe(chargers * connectorsPerCharger);
    expect(accepted).toBe(chargers * connectorsPerCharger);
    expect(invariants.violations).toEqual([]);
    expect(failedAfterRetries).toBe(0);
  }, 120_000);
});
