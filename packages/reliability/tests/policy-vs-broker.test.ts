import { randomUUID } from 'node:crypto';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import {
  combinedChargerIotPolicy,
  isAllowedByIotPolicy,
  POLICY_CASE_CHARGER,
  POLICY_CASE_OTHER_CHARGER,
  POLICY_CASE_STAGE,
  type PolicyCase,
  policyCases,
  registerChargerLocally,
} from '@evcharge/operator-cli';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import mqtt, { type MqttClient } from 'mqtt';

// One table of allowed/denied requests (policyCases), run against the production IoT policy document
// and the real local broker. Each broker case uses its own connection: a refused publish disconnects.
const region = 'eu-west-1';
const account = '123456789012';
const policy = combinedChargerIotPolicy(region, account, POLICY_CASE_STAGE);
const settleMs = 400;

let cloud: LocalCloud;
const passwords: Record<string, string> = {};

function connect(thingName: string, clientId = thingName): Promise<MqttClient> {
  return mqtt.connectAsync(cloud.endpoints.mqttUrl, {
    clientId,
    username: thingName,
    password: passwords[thingName] ?? 'unregistered',
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
}

async function grantedQos(client: MqttClient, topic: string): Promise<number> {
  try {
    return (await client.subscribeAsync(topic, { qos: 1 }))[0]?.qos ?? 128;
  } catch (error) {
    const granted = (error as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw error;
    return granted[0] ?? 128;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the broker actually did with this request: true = allowed. */
async function brokerAllows(policyCase: PolicyCase): Promise<boolean> {
  const topic = policyCase.topic ?? '';
  if (policyCase.action === 'connect') {
    try {
      const client = await connect(policyCase.thingName, policyCase.clientId);
      await client.endAsync();
      return true;
    } catch {
      return false;
    }
  }
  const client = await connect(policyCase.thingName, policyCase.clientId);
  try {
    if (policyCase.action === 'publish') {
      const marker = randomUUID();
      let seen = false;
      const stop = cloud.observe((message) => {
        if (message.topic === topic && message.payload.toString('utf8').includes(marker)) seen = true;
      });
      client.publish(topic, JSON.stringify({ marker }), { qos: 1 }, () => undefined);
      await sleep(settleMs);
      stop();
      return seen && client.connected;
    }
    if (policyCase.action === 'subscribe') return (await grantedQos(client, topic)) !== 128;
    // receive: subscribe (refusals included) and have the topic's legitimate sender publish on it.
    await grantedQos(client, topic);
    const marker = randomUUID();
    let received = false;
    client.on('message', (receivedTopic, payload) => {
      if (receivedTopic === topic && payload.toString('utf8').includes(marker)) received = true;
    });
    const owner = topic.split('/')[1] ?? '';
    const isDeviceTopic = /\/(auth\/request|heartbeat|meter|plug)$/.test(topic);
    if (isDeviceTopic && passwords[owner]) {
      const sender = await connect(owner);
      await sender.publishAsync(topic, JSON.stringify({ marker }), { qos: 1 });
      await sender.endAsync();
    } else {
      await cloud.publish(topic, JSON.stringify({ marker }));
    }
    await sleep(settleMs);
    return received;
  } finally {
    client.end(true);
  }
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    services: [],
    ports: { mqtt: 0, aws: 0, http: 0 },
    dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    tableName: `policy-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
  for (const chargerId of [POLICY_CASE_CHARGER, POLICY_CASE_OTHER_CHARGER]) {
    const credentials = await registerChargerLocally(cloud.table, {
      chargerId,
      connectorCount: 1,
      now: new Date(),
    });
    passwords[chargerId] = credentials.password;
  }
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('one table of topics against the IoT policy and the local broker', () => {
  it('agrees with the table on every case, on both sides', async () => {
    const disagreements: string[] = [];
    let deniedChecks = 0;
    let allowedChecks = 0;
    for (const policyCase of policyCases) {
      const byPolicy = isAllowedByIotPolicy(policy, policyCase, region, account);
      const byBroker = await brokerAllows(policyCase);
      if (byPolicy !== policyCase.allowed) disagreements.push(`policy: ${policyCase.name} → ${byPolicy}`);
      if (byBroker !== policyCase.allowed) disagreements.push(`broker: ${policyCase.name} → ${byBroker}`);
      if (policyCase.allowed) allowedChecks += 2;
      else deniedChecks += 2;
    }
    const refused = cloud.stats().refused;
    console.log(
      [
        'reliability: policy-vs-broker',
        `  cases=${policyCases.length} allowed checks=${allowedChecks} denied-topic checks: ${deniedChecks} (policy + broker)`,
        `  broker refusals: connections=${refused.connections} publishes=${refused.publishes} subscribes=${refused.subscribes}`,
        `  disagreements=${disagreements.length}`,
        ...disagreements.map((line) => `  ${line}`),
      ].join('\n'),
    );
    expect(disagreements).toEqual([]);
    expect(deniedChecks).toBeGreaterThan(40);
  }, 120_000);
});
