import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { chargerTopic, type Session } from '@evcharge/domain';
import { createCommand, getCommand } from '@evcharge/dynamo';
import { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
import { signDevToken } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Fleet, startFleet } from '../../src/fleet.js';
import { planIdTags } from '../../src/id-tags.js';

// OCPP 1.6J chargers through the real path: ocpp-rpc charge points → the local cloud's gateway → broker →
// rules → services → DynamoDB Local. The main job runs the same path (`npm start` makes most chargers OCPP).
const prefix = 'OCPPE';
const plan = planIdTags(prefix, 3);
let cloud: LocalCloud;
let fleet: Fleet;

beforeAll(async () => {
  cloud = await startLocalCloud({
    // The services a session touches (fewer functions to bundle and start).
    services: ['charge-authorization', 'heartbeat', 'metering', 'notifications', 'plug-events'],
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0, ocpp: 0 },
    ...(process.env.AWS_ENDPOINT_URL_DYNAMODB
      ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
      : {}),
    tableName: `sim-ocpp-${randomUUID().slice(0, 8)}`,
    quiet: true,
  });
  // 1 real second = 5 simulated minutes: 20-minute sessions in 4 s, 20–30 idle minutes between them.
  fleet = await startFleet({
    mqttUrl: cloud.endpoints.mqttUrl,
    ocppUrl: cloud.endpoints.ocpp!,
    table: cloud.table,
    chargers: 0,
    v2Chargers: 0,
    ocppChargers: 3,
    prefix,
    seed: 5,
    timeFactor: 300,
    // Now and then a connector faults and recovers: StatusNotification Faulted, then Available.
    faultRate: 0.15,
    offlineRate: 0,
    badInputRate: 0,
    idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
    timing: { sessionS: [1200, 1200], idleS: [1200, 1800], authTimeoutMs: 20_000 },
  });
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await cloud?.stop();
});

async function fleetSessions(): Promise<Session[]> {
  const { Items = [] } = await cloud.table.client.send(
    new ScanCommand({
      TableName: cloud.table.tableName,
      FilterExpression: 'entityType = :session AND begins_with(chargerId, :prefix)',
      ExpressionAttributeValues: { ':session': 'Session', ':prefix': `${prefix}-` },
    }),
  );
  return Items as Session[];
}

describe('OCPP 1.6J chargers through the local cloud’s gateway', () => {
  it('boot, authorize and run sessions that complete in DynamoDB with their energy', async () => {
    await cloud.waitFor(() => fleet.stats().sessionsCompleted >= 3 || undefined, 60_000);
    const stats = fleet.stats();
    expect(stats.protocols).toEqual({ v1: 0, v2: 0, ocpp: 3 });
    expect(stats.bootDecisions.Accepted).toBeGreaterThanOrEqual(3);
    expect(stats.ocpp.callsSent).toMatchObject({
      BootNotification: expect.any(Number),
      StatusNotification: expect.any(Number),
      Authorize: expect.any(Number),
      StartTransaction: expect.any(Number),
      MeterValues: expect.any(Number),
      StopTransaction: expect.any(Number),
      Heartbeat: expect.any(Number),
    });
    // The gateway set the intervals the cloud chose at boot.
    expect(stats.ocpp.callsReceived.ChangeConfiguration).toBeGreaterThanOrEqual(6);
    const completed = await cloud.waitFor(async () => {
      const done = (await fleetSessions()).filter((session) => session.status === 'Completed');
      return done.length >= 3 ? done : undefined;
    }, 30_000);
    for (const session of completed) {
      expect(session.energyWh).toBeGreaterThan(0);
      expect(session.transactionId).toEqual(expect.any(Number));
    }
  }, 120_000);

  it('answers a remote start from the user API (Accepted, then a session) and a Reset command', async () => {
    const chargerId = fleet.chargerIds[0]!;
    const idTag = plan.validByCharger[0]!;
    const token = await signDevToken(plan.userOf[idTag]!);
    // The charger runs its own sessions too: ask until one finds it idle (busy: 409, or Rejected by it).
    let requestId: string | undefined;
    await cloud.waitFor(async () => {
      if (fleet.stats().remoteRequests.accepted > 0) return true;
      const response = await fetch(`${cloud.endpoints.http}/me/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ chargerId, connectorId: 1, idTag }),
      });
      if (response.status === 202) ({ requestId } = (await response.json()) as { requestId: string });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return fleet.stats().remoteRequests.accepted > 0 || undefined;
    }, 60_000);
    expect(fleet.stats().ocpp.callsReceived.RemoteStartTransaction).toBeGreaterThanOrEqual(1);
    const remoteSession = await cloud.waitFor(async () => {
      const sessions = await fleetSessions();
      return sessions.find((session) => session.remoteStartRequestId === requestId);
    }, 30_000);
    expect(remoteSession).toMatchObject({ chargerId, connectorId: 1 });

    const commandId = randomUUID();
    const sentAt = new Date().toISOString();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await createCommand(cloud.table, {
      chargerId,
      requestId: commandId,
      action: 'Reset',
      payload: { type: 'Soft' },
      state: 'pending',
      sentAt,
      expiresAt,
    });
    await cloud.publish(
      chargerTopic('command', chargerId),
      JSON.stringify({
        requestId: commandId,
        action: 'Reset',
        payload: { type: 'Soft' },
        expiresAt,
        at: sentAt,
      }),
    );
    const answered = await cloud.waitFor(async () => {
      const command = await getCommand(cloud.table, chargerId, commandId);
      return command?.answerStatus ? command : undefined;
    }, 30_000);
    expect(answered.answerStatus).toBe('Accepted');
    expect(fleet.stats().commands.Reset).toBe(1);
    // Reset: the charger boots again (a fourth Accepted boot at least).
    await cloud.waitFor(() => fleet.stats().bootDecisions.Accepted >= 4 || undefined, 30_000);
  }, 150_000);

  it('stops cleanly: every session Completed with energy, 0 dead letters, 0 function errors, 0 call errors', async () => {
    await fleet.stop();
    const stats = fleet.stats();
    const sessions = await cloud.waitFor(async () => {
      const all = await fleetSessions();
      return all.length > 0 && all.every((session) => session.status === 'Completed') ? all : undefined;
    }, 30_000);
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    for (const session of sessions) expect(session.energyWh).toBeGreaterThan(0);
    expect(stats.sessionsActive).toBe(0);
    expect(stats.ocpp.callErrors).toBe(0);
    expect(stats.recentErrors).toEqual([]);
    expect(cloud.deadLetters()).toEqual([]);
    expect(cloud.stats().errors).toBe(0);
  }, 90_000);
});
