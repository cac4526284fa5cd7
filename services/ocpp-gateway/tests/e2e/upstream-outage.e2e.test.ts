import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addIdTag, assignChargerToGateway, getConnector, getSession, keys } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { issueOcppCredentials, registerChargerLocally } from '@evcharge/local-identity';
import { startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tableCredentialLookup } from '../../src/credential-store.js';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/log.js';
import { mqttUpstream } from '../../src/upstream/mqtt-upstream.js';
import * as ocpp from '../helpers/factories.js';
import { type PartitionProxy, startPartitionProxy } from '../helpers/partition-proxy.js';
import { type CallOutcome, ReconnectingCharger } from '../helpers/reconnecting-charger.js';

// The site loses the cloud for a window (the link between gateway and broker is cut). Chargers are answered
// InternalError, never a success for what the cloud did not get; after recovery they retry their transaction
// messages and none is lost, and the gateway asks each charger for its statuses (which chargers do not retry),
// so every connector's status in the cloud ends equal to the charger's.
let cloud: LocalCloud;
let proxy: PartitionProxy;
let gateway: Gateway;
let charger: ReconnectingCharger;
const chargerId = `CP-OUT-${randomUUID().slice(0, 6)}`;
const gatewayId = 'gw-outage';
const gatewayPassword = randomUUID();
const idTag = 'OUTAGE-TAG';

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['heartbeat', 'charge-authorization', 'plug-events', 'metering'],
    gateways: [{ gatewayId, password: gatewayPassword }],
  });
  await addIdTag(cloud.table, { idTag, userId: 'user-outage' });
  await registerChargerLocally(cloud.table, { chargerId, connectorCount: 2, now: new Date() });
  await assignChargerToGateway(cloud.table, chargerId, gatewayId);
  const { password } = await issueOcppCredentials(cloud.table, chargerId);
  proxy = await startPartitionProxy(cloud.endpoints.mqttUrl);
  gateway = await startGateway({
    port: 0,
    credentials: tableCredentialLookup(cloud.table),
    upstream: mqttUpstream({
      url: proxy.url,
      credentials: async () => ({ username: gatewayId, password: gatewayPassword }),
      log: silentLogger,
      connectTimeoutMs: 4_000,
    }),
    cloudAnswerTimeoutMs: 1_500,
  });
  charger = new ReconnectingCharger(gateway.urlFor(chargerId), { username: chargerId, password }, [1, 2]);
}, 120_000);

afterAll(async () => {
  await charger?.close();
  await gateway?.close();
  await proxy?.close();
  await cloud?.stop();
});

const isInternalError = (outcome: CallOutcome) =>
  'answer' in outcome && outcome.answer[2] === 'InternalError';
const isResult = (outcome: CallOutcome) => 'answer' in outcome && outcome.answer[0] === 3;

async function readingTimesOf(connectorId: number): Promise<string[]> {
  const { Items = [] } = await cloud.table.client.send(
    new QueryCommand({
      TableName: cloud.table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.connectorReadingsPartition(chargerId, connectorId) },
    }),
  );
  return Items.map((item) => item.at as string);
}

describe('the cloud unreachable for a window', () => {
  it('InternalError during the outage; after it 0 transaction messages lost and every status as the charger has it', async () => {
    const t0 = Date.now() - 600_000;
    const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
    expect((await charger.callUntilAnswered('BootNotification', ocpp.bootNotification()))[2]).toMatchObject({
      status: 'Accepted',
    });
    expect(isResult(await charger.setStatus(1, 'Preparing'))).toBe(true);
    expect(isResult(await charger.setStatus(2, 'Available'))).toBe(true);
    const start1 = await charger.callUntilAnswered(
      'StartTransaction',
      ocpp.startTransaction({ connectorId: 1, idTag, meterStart: 1_000, timestamp: at(0) }),
    );
    const tx1 = (start1[2] as { transactionId: number }).transactionId;
    expect(isResult(await charger.setStatus(1, 'Charging'))).toBe(true);
    const session1 = await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 1))?.activeSessionId,
      20_000,
    );

    // The outage: every CALL but Heartbeat fails (InternalError, or the socket drops before an answer).
    proxy.partition(true);
    const during: CallOutcome[] = [];
    // The transaction messages the charger keeps for later (in order), as it would in its own queue.
    const reading = ocpp.meterValues(3_000, { connectorId: 1, transactionId: tx1 });
    reading.meterValue[0]!.timestamp = at(60);
    const queued: [string, object][] = [
      ['MeterValues', reading],
      ['StopTransaction', ocpp.stopTransaction(tx1, { idTag, meterStop: 4_000, timestamp: at(120) })],
      [
        'StartTransaction',
        ocpp.startTransaction({ connectorId: 2, idTag, meterStart: 500, timestamp: at(130) }),
      ],
    ];
    for (const [action, payload] of queued) during.push(await charger.callOnce(action, payload));
    during.push(await charger.setStatus(1, 'Finishing'));
    during.push(await charger.setStatus(2, 'Preparing'));
    during.push(await charger.setStatus(2, 'Charging'));
    const heartbeat = await charger.callOnce('Heartbeat', {});

    expect(during.filter(isResult)).toEqual([]);
    expect(during.filter(isInternalError).length).toBeGreaterThanOrEqual(3);
    expect(isResult(heartbeat)).toBe(true);

    // Recovery: the queue is sent again until answered; the gateway asks for the statuses it could not forward.
    proxy.partition(false);
    const answers = [];
    for (const [action, payload] of queued) answers.push(await charger.callUntilAnswered(action, payload));
    const tx2 = (answers[2]?.[2] as { transactionId?: number } | undefined)?.transactionId;
    expect(tx2).toEqual(expect.any(Number));
    await cloud.waitFor(() => charger.triggersReceived.length > 0 || undefined, 20_000);

    // 0 transaction messages lost: 2 starts, 1 reading, 1 stop, each in the cloud once.
    const completed = await cloud.waitFor(async () => {
      const session = await getSession(cloud.table, session1);
      return session?.status === 'Completed' ? session : undefined;
    }, 20_000);
    expect(completed).toMatchObject({ transactionId: tx1, energyWh: 3_000 });
    const session2 = await cloud.waitFor(
      async () => (await getConnector(cloud.table, chargerId, 2))?.activeSessionId,
      20_000,
    );
    expect((await getSession(cloud.table, session2))?.transactionId).toBe(tx2);
    expect((await readingTimesOf(1)).filter((time) => time === at(60))).toHaveLength(1);

    // Every connector's status in the cloud is the charger's.
    const statusesInCloud = async () =>
      Promise.all([1, 2].map(async (id) => (await getConnector(cloud.table, chargerId, id))?.ocppStatus));
    const expected = [charger.statuses.get(1), charger.statuses.get(2)];
    expect(expected).toEqual(['Finishing', 'Charging']);
    await cloud.waitFor(
      async () => (JSON.stringify(await statusesInCloud()) === JSON.stringify(expected) ? true : undefined),
      20_000,
    );
    expect(await statusesInCloud()).toEqual(expected);
    expect(cloud.deadLetters()).toEqual([]);
  }, 120_000);
});
