import { addIdTag, registerCharger } from '@evcharge/dynamo';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  authorizeFunction,
  authRequestEvent,
  type HandlerHarness,
  type Invoke,
  startHandlerHarness,
} from '../src/harness.js';
import { checkTableInvariants } from '../src/invariants.js';

// 50 parallel auth requests per connector across 20 connectors, through the real authorize handler.
const chargers = 10;
const connectorsPerCharger = 2;
const requestsPerConnector = 50;
const tags = 50;
const lambdaRetries = 2; // what Lambda does with a thrown (transient) error on an async invoke

let harness: HandlerHarness;
let authorize: Invoke;

beforeAll(async () => {
  harness = await startHandlerHarness('concurrency');
  authorize = await harness.load(authorizeFunction);
  const { table } = harness;
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
  await harness?.close();
});

describe('concurrent auth requests', () => {
  it(`${requestsPerConnector} parallel requests on each of ${chargers * connectorsPerCharger} connectors open exactly one session each`, async () => {
    let thrown = 0;
    let failedAfterRetries = 0;
    const invokeWithRetries = async (event: object) => {
      for (let attempt = 0; attempt <= lambdaRetries; attempt++) {
        try {
          return await authorize(event);
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
          requests.push(
            invokeWithRetries(
              authRequestEvent({
                chargerId: `CP-CONC-${c}`,
                connectorId,
                idTag: `TAG-CONC-${1 + (r % tags)}`,
              }),
            ),
          );
        }
      }
    }
    const started = Date.now();
    await Promise.all(requests);
    const elapsedMs = Date.now() - started;
    const responses = harness.aws.calls
      .filter((call) => call.service === 'iot-data')
      .map((call) => JSON.parse(call.body) as { status: string });
    const accepted = responses.filter((response) => response.status === 'Accepted').length;
    const invariants = await checkTableInvariants(harness.table);
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
