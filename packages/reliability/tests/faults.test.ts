import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud } from '@evcharge/local-cloud';
import { httpInvoke, redrive } from '@evcharge/operations';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { type FaultProxy, startFaultProxy } from '../src/fault-proxy.js';
import { type CloudWithCharger, fullRun, startCloudWithCharger } from '../src/harness.js';
import { checkTableInvariants } from '../src/invariants.js';
import { scanTable } from '../src/table-state.js';

// DynamoDB becomes unavailable for a window while chargers keep publishing. Lambda's retries run out for some
// messages, which go to the DLQ; after recovery, `pnpm redrive` replays them. Nothing may be lost.
const chargerId = 'CP-FAULT-1';
const connectors = 6;
const messages = Number(process.env.RELIABILITY_FAULT_MESSAGES ?? (fullRun ? 600 : 150));
const publishEveryMs = 25;
const services = ['charge-authorization', 'metering', 'plug-events'];

let proxy: FaultProxy;
let charger: CloudWithCharger;
let cloud: LocalCloud;
let client: MqttClient;

beforeAll(async () => {
  proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '');
  charger = await startCloudWithCharger({
    label: 'faults',
    chargerId,
    connectorCount: connectors,
    idTag: { idTag: 'TAG-FAULT', userId: 'user-fault', maxConcurrent: connectors },
    cloud: { services, dynamodbEndpoint: proxy.url },
  });
  ({ cloud, client } = charger);
}, 90_000);

afterAll(async () => {
  await charger?.stop();
  await proxy?.close();
});

/** One message with its id (messageId or requestId): readings, plug events and auth requests. */
function message(index: number): { topic: string; id: string; payload: Record<string, unknown> } {
  const id = randomUUID();
  const connectorId = 1 + (index % connectors);
  const at = new Date().toISOString();
  switch (index % 4) {
    case 0:
      return { topic: 'auth/request', id, payload: { requestId: id, connectorId, idTag: 'TAG-FAULT', at } };
    case 1:
      return { topic: 'plug', id, payload: { messageId: id, connectorId, event: 'plugged', at } };
    case 2:
      return {
        topic: 'meter',
        id,
        payload: {
          messageId: id,
          connectorId,
          at,
          energy: { value: 1_000 + index, unit: 'Wh' },
          context: 'Sample.Periodic',
        },
      };
    default:
      return { topic: 'plug', id, payload: { messageId: id, connectorId, event: 'unplugged', at } };
  }
}

async function appliedIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const item of await scanTable(cloud.table)) {
    for (const field of ['messageId', 'requestId'])
      if (typeof item[field] === 'string') ids.add(item[field] as string);
  }
  return ids;
}

function deadLetteredIds(): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const letter of cloud.deadLetters()) {
    const payload = letter.payload as { messageId?: string; requestId?: string } | undefined;
    const id = payload?.messageId ?? payload?.requestId;
    if (id) reasons.set(id, letter.reason);
  }
  return reasons;
}

describe('DynamoDB unavailable for a window', () => {
  it('loses no message: each is applied, or dead-lettered with its reason and applied after redrive', async () => {
    const published: string[] = [];
    const faultStart = Math.floor(messages * 0.3);
    const faultEnd = Math.floor(messages * 0.7);
    for (let index = 0; index < messages; index++) {
      if (index === faultStart) proxy.setDown(true);
      if (index === faultEnd) proxy.setDown(false);
      const { topic, id, payload } = message(index);
      await client.publishAsync(`chargers/${chargerId}/${topic}`, JSON.stringify(payload), { qos: 1 });
      published.push(id);
      await new Promise((resolve) => setTimeout(resolve, publishEveryMs));
    }
    proxy.setDown(false);
    // Let Lambda's retries (and on-failure destinations) finish.
    await cloud.waitFor(async () => {
      const applied = await appliedIds();
      const letters = deadLetteredIds();
      return published.every((id) => applied.has(id) || letters.has(id));
    }, 60_000);
    const appliedBefore = await appliedIds();
    const lettersBefore = deadLetteredIds();
    const deadLettered = published.filter((id) => !appliedBefore.has(id) && lettersBefore.has(id)).length;

    const sqs = new SQSClient({
      endpoint: cloud.endpoints.aws,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const report = await redrive({
      sqs,
      invoke: httpInvoke(cloud.endpoints.aws),
      services,
      stage: 'local',
      dryRun: false,
      io: { out: () => undefined, err: () => undefined },
    });
    const applied = await appliedIds();
    const lost = published.filter((id) => !applied.has(id));
    const invariants = await checkTableInvariants(cloud.table);
    const stats = cloud.stats();
    console.log(
      [
        'reliability: faults (DynamoDB unavailable for 40% of the run)',
        `  published=${published.length} connection resets=${proxy.resets()} function errors=${stats.errors} dead-lettered=${deadLettered}`,
        `  redrive: examined=${report.examined} replayed=${report.replayed} failed-again=${report.failedAgain}`,
        `  messages lost: ${lost.length} invariant violations=${invariants.violations.length}`,
      ].join('\n'),
    );
    expect(proxy.resets()).toBeGreaterThan(0);
    expect(deadLettered).toBeGreaterThan(0);
    expect(report.failedAgain).toBe(0);
    expect(lost).toEqual([]);
    expect(invariants.violations).toEqual([]);
  }, 180_000);
});
