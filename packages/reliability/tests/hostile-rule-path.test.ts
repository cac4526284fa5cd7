import { randomUUID } from 'node:crypto';
import type { LocalCloud } from '@evcharge/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { type CloudWithCharger, fullRun, runSeed, startCloudWithCharger } from '../src/harness.js';
import { hostileCaseArbitrary, type TopicShape } from '../src/hostile.js';
import { checkTableInvariants } from '../src/invariants.js';

// A sample of hostile payloads as raw MQTT bytes through the local rule path (broker → rule SQL → function),
// where non-JSON and non-object payloads really arrive as bytes.
const samplesPerTopic = Number(process.env.RELIABILITY_RULE_SAMPLES ?? (fullRun ? 100 : 25));
const seed = runSeed;
const chargerId = 'CP-HOSTILE-RULE';
const nowIso = () => new Date().toISOString();

const deviceTopics: { kind: string; functionId: string; shape: TopicShape }[] = [
  {
    kind: 'auth/request',
    functionId: 'charge-authorization.authorize',
    shape: {
      valid: () => ({ requestId: randomUUID(), connectorId: 1, idTag: 'TAG-RULE', at: nowIso() }),
      required: ['requestId', 'connectorId', 'idTag', 'at'],
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    kind: 'heartbeat',
    functionId: 'heartbeat.heartbeat',
    shape: {
      valid: () => ({ at: nowIso(), firmware: '1.0.0', intervalS: 300 }),
      required: ['at'],
      strict: true,
    },
  },
  {
    kind: 'meter',
    functionId: 'metering.ingestReading',
    shape: {
      valid: () => ({
        messageId: randomUUID(),
        connectorId: 1,
        at: nowIso(),
        energy: { value: 5_000, unit: 'Wh' },
        context: 'Sample.Periodic',
      }),
      required: ['messageId', 'connectorId', 'at', 'energy', 'context'],
      connectorField: 'connectorId',
      strict: true,
    },
  },
  {
    kind: 'plug',
    functionId: 'plug-events.plug',
    shape: {
      valid: () => ({ messageId: randomUUID(), connectorId: 1, event: 'plugged', at: nowIso() }),
      required: ['messageId', 'connectorId', 'event', 'at'],
      connectorField: 'connectorId',
      strict: true,
    },
  },
];

/** Raw payloads: JSON of hostile events, plus bytes that are not JSON at all. */
function rawPayloads(shape: TopicShape): Buffer[] {
  const events = fc.sample(hostileCaseArbitrary(shape), { numRuns: samplesPerTopic, seed });
  return events.map((hostile, index) => {
    if (index % 5 === 0)
      return Buffer.from(
        fc.sample(fc.uint8Array({ minLength: 1, maxLength: 200 }), { numRuns: 1, seed: seed + index })[0] ?? [
          0,
        ],
      );
    if (hostile.event === undefined) return Buffer.from('');
    return Buffer.from(
      typeof hostile.event === 'string' ? hostile.event : (JSON.stringify(hostile.event) ?? 'null'),
    );
  });
}

let charger: CloudWithCharger;
let cloud: LocalCloud;
let client: MqttClient;

beforeAll(async () => {
  charger = await startCloudWithCharger({
    label: 'hostile-rule',
    chargerId,
    connectorCount: 2,
    idTag: { idTag: 'TAG-RULE', userId: 'user-rule' },
    cloud: {
      services: ['charge-authorization', 'heartbeat', 'metering', 'plug-events'],
      asyncRetryDelayMs: () => 10,
      ...(process.env.RELIABILITY_LOGS === '1' ? { functionLogs: 'files' as const } : {}),
    },
  });
  ({ cloud, client } = charger);
}, 90_000);

afterAll(async () => {
  await charger?.stop();
});

describe('hostile payloads through the local rule path', () => {
  it('every published message is either processed or dead-lettered once, with no function crash', async () => {
    const deviceFunctions = deviceTopics.map((topic) => topic.functionId);
    const invocations = () =>
      deviceFunctions.reduce((n, id) => n + (cloud.stats().invocationsByFunction[id] ?? 0), 0);
    let published = 0;
    for (const topic of deviceTopics) {
      for (const payload of rawPayloads(topic.shape)) {
        await client.publishAsync(`chargers/${chargerId}/${topic.kind}`, payload, { qos: 1 });
        published++;
      }
    }
    // Each message ends once: a rule error, a successful invocation (maybe after Lambda retried a transient
    // error), or Lambda's on-failure destination once its retries ran out.
    const errorsNow = () =>
      deviceFunctions.reduce((n, id) => n + (cloud.stats().errorsByFunction[id] ?? 0), 0);
    const onFailure = () => cloud.deadLetters().filter((letter) => letter.source === 'async-on-failure');
    const ended = () =>
      cloud.stats().ruleErrors +
      deviceFunctions.reduce((n, id) => n + (cloud.stats().asyncEventsSettledByFunction[id] ?? 0), 0);
    await cloud.waitFor(() => ended() >= published, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = cloud.stats();
    const letters = cloud.deadLetters();
    const functionLetters = letters.filter((letter) => letter.source === 'sqs-send').length;
    const ruleErrorLetters = letters.filter((letter) => letter.source === 'rule-error').length;
    // A crash: an invocation that kept failing with anything but a transient error.
    const crashes = onFailure().filter(
      (letter) => !/Transient|raced|Throttl|Timeout|ECONN/.test(letter.reason),
    );
    const invariants = await checkTableInvariants(cloud.table);
    console.log(
      [
        `reliability: hostile-rule-path seed=${seed}`,
        `  published=${published} rule errors=${stats.ruleErrors} invocations=${invocations()} transient errors retried=${errorsNow()} crashes=${crashes.length}`,
        `  dead letters: rule-error=${ruleErrorLetters} rejected-by-function=${functionLetters} retries-exhausted=${onFailure().length}`,
        `  invariant violations=${invariants.violations.length}`,
      ].join('\n'),
    );
    expect(ended()).toBe(published);
    expect(crashes.map((letter) => letter.reason)).toEqual([]);
    expect(ruleErrorLetters).toBe(stats.ruleErrors);
    expect(functionLetters).toBeLessThanOrEqual(invocations());
    expect(functionLetters + ruleErrorLetters).toBeGreaterThan(published / 2);
    expect(letters.length).toBe(functionLetters + ruleErrorLetters + onFailure().length);
    expect(invariants.violations).toEqual([]);
  }, 120_000);
});
