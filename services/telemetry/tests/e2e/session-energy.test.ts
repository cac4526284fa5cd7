import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { deviceTopic } from '@evcharge/domain';
import { addIdTag, getSession } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openLocalArchive, runNamedQuery } from '../../src/analytics/engine.js';
import { localBucketDir } from '../../src/analytics/local-archive-dir.js';

// The archive against what the services stored: a v1 session (authorized, plugged, three readings through IoT
// Basic Ingest, as the gateway sends them), then the session's raw messages from the archive
// (`session-messages`) give the same energy as the Session item metering keeps.

const chargerId = 'CP-ARCHIVE-SESSION';
let cloud: LocalCloud;
let charger: Awaited<ReturnType<typeof registerAndConnect>>['charger'];

beforeAll(async () => {
  cloud = await startServiceCloud({
    services: ['charge-authorization', 'heartbeat', 'metering', 'plug-events', 'telemetry'],
  });
  await addIdTag(cloud.table, { idTag: 'ARCHIVE-TAG', userId: 'user-archive' });
  ({ charger } = await registerAndConnect(cloud, chargerId));
}, 90_000);

afterAll(async () => {
  await charger?.endAsync();
  await cloud?.stop();
});

const publish = (topic: string, payload: object) =>
  charger.publishAsync(topic, JSON.stringify({ ...payload, at: new Date().toISOString() }), { qos: 1 });

describe('the archive and the services agree', () => {
  it("a session's energy from its archived messages equals the energy metering stored", async () => {
    await charger.subscribeAsync(`chargers/${chargerId}/auth/response`, { qos: 1 });
    const answered = new Promise<{ sessionId: string }>((resolve) =>
      charger.on('message', (_topic: string, body: Buffer) => resolve(JSON.parse(body.toString()))),
    );
    await publish(`chargers/${chargerId}/auth/request`, {
      requestId: randomUUID(),
      connectorId: 1,
      idTag: 'ARCHIVE-TAG',
    });
    const { sessionId } = await answered;
    await publish(`chargers/${chargerId}/plug`, {
      messageId: randomUUID(),
      connectorId: 1,
      event: 'plugged',
    });
    const route = { basicIngestStage: cloud.stage };
    // A reading at a time, each applied before the next (a charger sends one every 15 minutes).
    let stored: Awaited<ReturnType<typeof getSession>>;
    for (const registerWh of [5_000, 5_600, 6_400]) {
      await publish(deviceTopic('meter', chargerId, route), {
        messageId: randomUUID(),
        connectorId: 1,
        sessionId,
        energy: { value: registerWh, unit: 'Wh' },
        powerW: 7_400,
        context: 'Sample.Periodic',
      });
      stored = await cloud.waitFor(async () => {
        const session = await getSession(cloud.table, sessionId);
        return session?.latestRegisterWh === registerWh ? session : undefined;
      }, 20_000);
    }
    await cloud.flushDeliveryStreams();

    const archive = await openLocalArchive(localBucketDir(dirname(cloud.s3Dir)));
    try {
      const all = { from: '1970-01-01', to: '2999-12-31' };
      // The session's raw messages: its three readings (the auth request names no session yet).
      const messages = await runNamedQuery(archive, 'session-messages', { ...all, session: sessionId });
      expect(messages.filter((message) => message.kind === 'meter')).toHaveLength(3);
      // The charger's only session today: its energy for the day is the session's.
      const [day] = await runNamedQuery(archive, 'energy-per-charger-day', { ...all, chargerId });
      expect(day?.energy_wh).toBe(stored?.energyWh);
      expect(stored?.energyWh).toBe(1_400);
    } finally {
      archive.close();
    }
    expect(cloud.deadLetters()).toEqual([]);
  }, 40_000);
});
