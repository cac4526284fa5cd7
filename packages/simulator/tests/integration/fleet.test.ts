import {
  authRequestPayloadSchema,
  heartbeatPayloadSchema,
  type MeterPayload,
  meterPayloadSchema,
  parseChargerTopic,
  plugPayloadSchema,
  toWattHours,
} from '@evcharge/domain';
import { getCharger, getIdTag } from '@evcharge/dynamo';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { PublishedMessage } from '../../src/charger.js';
import { type Fleet, startFleet } from '../../src/fleet.js';
import { type ReceivedMessage, startTestBroker, type TestBroker, waitFor } from '../helpers/broker.js';

const schemas = {
  authRequest: authRequestPayloadSchema,
  heartbeat: heartbeatPayloadSchema,
  meter: meterPayloadSchema,
  plug: plugPayloadSchema,
} as const;

function isValid(message: ReceivedMessage): boolean {
  const kind = parseChargerTopic(message.topic)?.kind;
  if (!kind || !(kind in schemas)) return false;
  try {
    return schemas[kind as keyof typeof schemas].safeParse(JSON.parse(message.payload)).success;
  } catch {
    return false;
  }
}

const body = <T>(message: ReceivedMessage) => JSON.parse(message.payload) as T;
const kindOf = (message: ReceivedMessage) => parseChargerTopic(message.topic)?.kind;

// 1 real ms = 3.6 simulated s: meter every 250 ms, heartbeat every ~83 ms, a 30-minute session in 500 ms.
const fast = {
  timeFactor: 3600,
  timing: {
    sessionS: [1800, 1800] as [number, number],
    idleS: [60, 120] as [number, number],
    authTimeoutMs: 2000,
  },
};

const decideByTag = (idTag: string) => {
  if (idTag.includes('V')) return { status: 'Accepted' };
  if (idTag.includes('B')) return { status: 'Blocked' };
  if (idTag.includes('X')) return { status: 'Expired' };
  return { status: 'Invalid' };
};

let table: TestTable;
let broker: TestBroker;
let fleet: Fleet | undefined;

beforeAll(async () => {
  table = await createTestTable('simulator');
  broker = await startTestBroker(table, decideByTag);
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});
afterAll(async () => {
  await broker.close();
  await table.drop();
});

describe('simulated charger against an aedes broker', () => {
  it('runs plug → auth → meter → answers Trigger → unplug with valid payloads', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 1,
      prefix: 'CYC',
      seed: 7,
      idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
      ...fast,
      // Energy follows device (real) time: a 2 s session delivers whole Wh even at 3.7 kW.
      timing: { ...fast.timing, sessionS: [7200, 7200] },
    });
    expect(fleet.chargerIds).toEqual(['CYC-001']);
    // Registered the operator way, with a stored credential the broker verified.
    expect((await getCharger(table, 'CYC-001'))?.credentialHash).toBeDefined();
    expect(broker.refusedLogins).toEqual([]);
    expect(await getIdTag(table, 'CYCV001')).toMatchObject({ status: 'Accepted', maxConcurrent: 1 });

    const fromCharger = () => broker.messages.filter((message) => message.clientId === 'CYC-001');
    await waitFor(
      () =>
        fromCharger().some(
          (m) => kindOf(m) === 'meter' && body<MeterPayload>(m).context === 'Transaction.Begin',
        ),
      5000,
      'the first session to begin',
    );
    const begin = fromCharger().find((m) => kindOf(m) === 'meter')!;
    const { connectorId } = body<MeterPayload>(begin);
    const requestId = broker.requestMeterReading('CYC-001', connectorId);
    await waitFor(() => fleet!.stats().sessionsCompleted >= 1, 5000, 'the session to complete');
    await fleet.stop();

    const messages = fromCharger();
    expect(messages.filter((message) => !isValid(message))).toEqual([]);
    const kinds = messages.map(kindOf);
    expect(kinds).toContain('heartbeat');

    const authIndex = kinds.indexOf('authRequest');
    const sessionId = broker.acceptedSessions.get('CYC-001')?.[0];
    expect(sessionId).toBeDefined();
    const readings = messages.filter((m) => kindOf(m) === 'meter').map((m) => body<MeterPayload>(m));
    const sessionReadings = readings.filter((reading) => reading.sessionId === sessionId);
    expect(sessionReadings[0]?.context).toBe('Transaction.Begin');
    expect(sessionReadings.at(-1)?.context).toBe('Transaction.End');
    expect(sessionReadings.some((reading) => reading.context === 'Sample.Periodic')).toBe(true);

    const trigger = readings.find((reading) => reading.requestId === requestId);
    expect(trigger).toMatchObject({ context: 'Trigger', connectorId, sessionId });

    const registers = sessionReadings
      .filter((reading) => reading.context !== 'Trigger')
      .map((reading) => toWattHours(reading.energy));
    for (let index = 1; index < registers.length; index++) {
      expect(registers[index]).toBeGreaterThanOrEqual(registers[index - 1]!);
    }
    const deliveredWh = registers.at(-1)! - registers[0]!;
    expect(deliveredWh).toBeGreaterThan(0);

    const plugEvents = messages
      .map((message, index) => ({ index, kind: kindOf(message), message }))
      .filter((entry) => entry.kind === 'plug')
      .map((entry) => ({ index: entry.index, event: body<{ event: string }>(entry.message).event }));
    const plugged = plugEvents.find((event) => event.event === 'plugged')!;
    const unplugged = plugEvents.find((event) => event.event === 'unplugged')!;
    const beginIndex = messages.indexOf(begin);
    const endIndex = messages.findIndex(
      (m) => kindOf(m) === 'meter' && body<MeterPayload>(m).context === 'Transaction.End',
    );
    expect(plugged.index).toBeLessThan(beginIndex);
    expect(authIndex).toBeLessThan(beginIndex);
    expect(endIndex).toBeLessThan(unplugged.index);

    const stats = fleet.stats();
    expect(stats.sessionsStarted).toBeGreaterThanOrEqual(1);
    expect(stats.sessionsActive).toBe(0);
    expect(stats.authDecisions.Accepted).toBe(stats.sessionsStarted);
    expect(stats.meterRequestsAnswered).toBe(1);
    expect(stats.messagesReceived.meterRequest).toBe(1);
    expect(stats.messagesSent.meter).toBe(readings.length);
    expect(stats.messagesSent.authRequest).toBe(kinds.filter((kind) => kind === 'authRequest').length);
    expect(stats.badInputsSent).toBe(0);
    expect(stats.errors).toBe(0);
    expect(stats.connected).toBe(0);
    // Register deltas of every session, including sessions cut short by stop().
    const allSessionIds = broker.acceptedSessions.get('CYC-001') ?? [];
    const expectedWh = allSessionIds.reduce((sum, id) => {
      const of = readings
        .filter((r) => r.sessionId === id && r.context !== 'Trigger')
        .map((r) => toWattHours(r.energy));
      return sum + (of.length > 0 ? of.at(-1)! - of[0]! : 0);
    }, 0);
    expect(stats.energyDeliveredWh).toBe(expectedWh);
  });

  it('unplugs after a rejection and retries later with another tag', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 2,
      prefix: 'REJ',
      seed: 11,
      idTagMix: { valid: 0, blocked: 1, expired: 1, unknown: 1 },
      ...fast,
    });
    expect((await getIdTag(table, 'REJB001'))?.status).toBe('Blocked');
    expect(Date.parse((await getIdTag(table, 'REJX001'))?.expiresAt ?? '')).toBeLessThan(Date.now());
    expect(await getIdTag(table, 'REJU001')).toBeUndefined();
    await waitFor(
      () => {
        const decisions = fleet!.stats().authDecisions;
        return decisions.Blocked + decisions.Expired + decisions.Invalid >= 6;
      },
      5000,
      'six rejections',
    );
    await fleet.stop();

    const stats = fleet.stats();
    expect(stats.sessionsStarted).toBe(0);
    expect(stats.authDecisions.Accepted).toBe(0);
    const messages = broker.messages.filter((message) => message.clientId.startsWith('REJ-'));
    expect(messages.filter((message) => !isValid(message))).toEqual([]);
    expect(messages.filter((message) => kindOf(message) === 'meter')).toEqual([]);
    const tags = messages
      .filter((m) => kindOf(m) === 'authRequest')
      .map((m) => body<{ idTag: string }>(m).idTag);
    expect(new Set(tags.map((tag) => tag.slice(0, 4))).size).toBeGreaterThan(1);
    // Every plugged-in connector is unplugged again.
    for (const chargerId of fleet.chargerIds) {
      const events = messages
        .filter((m) => m.clientId === chargerId && kindOf(m) === 'plug')
        .map((m) => body<{ event: string }>(m).event);
      expect(events.filter((event) => event === 'plugged').length).toBe(
        events.filter((event) => event === 'unplugged').length,
      );
    }
  });

  it('sends a counted number of deliberately bad inputs and nothing else invalid', async () => {
    const published: PublishedMessage[] = [];
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 3,
      prefix: 'BAD',
      seed: 3,
      badInputRate: 0.2,
      onPublish: (message) => published.push(message),
      ...fast,
    });
    await waitFor(
      () => fleet!.stats().sessionsCompleted >= 3 && fleet!.stats().badInputsSent >= 5,
      8000,
      'bad inputs',
    );
    await fleet.stop();
    // Let the last QoS 1 publishes land.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stats = fleet.stats();
    const messages = broker.messages.filter((message) => message.clientId.startsWith('BAD-'));
    const invalid = messages.filter((message) => !isValid(message));
    expect(invalid).toHaveLength(stats.badInputsSent);
    expect(Object.values(stats.badInputsByKind).reduce((sum, count) => sum + count, 0)).toBe(
      stats.badInputsSent,
    );
    // The publish hook sees exactly what the broker received, flagged the same way.
    expect(published.map((message) => message.payload).sort()).toEqual(
      messages.map((message) => message.payload).sort(),
    );
    expect(
      published
        .filter((message) => message.badInput)
        .map((message) => message.payload)
        .sort(),
    ).toEqual(invalid.map((message) => message.payload).sort());
    const valid = messages.length - invalid.length;
    expect(valid).toBe(Object.values(stats.messagesSent).reduce((sum, count) => sum + count, 0));
  });

  it('drops offline (disconnect or silence) and comes back', async () => {
    const lines: string[] = [];
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 4,
      prefix: 'OFF',
      seed: 5,
      offlineRate: 1,
      log: (line) => lines.push(line),
      timeFactor: 3600,
      timing: { sessionS: [900, 900], idleS: [60, 60], offlineS: [900, 900], authTimeoutMs: 2000 },
    });
    await waitFor(
      () => lines.filter((line) => line.endsWith('back online')).length >= 6,
      8000,
      'offline episodes',
    );
    await fleet.stop();
    const stats = fleet.stats();
    expect(stats.offlineEpisodes).toBeGreaterThanOrEqual(6);
    expect(stats.offline).toBe(0);
    expect(stats.recentErrors).toEqual([]);
    const disconnecting = new Set(
      lines.filter((line) => line.includes('(disconnect)')).map((line) => line.split(':')[0] ?? ''),
    );
    expect(disconnecting.size).toBeGreaterThan(0);
    for (const chargerId of disconnecting) {
      expect(broker.connects.filter((id) => id === chargerId).length).toBeGreaterThanOrEqual(2);
    }
    expect(lines.some((line) => line.includes('(silent)'))).toBe(true);
    expect(stats.sessionsCompleted).toBeGreaterThan(0);
  });

  it('makes the same decisions for the same seed', async () => {
    const firstTags = async (seed: number, prefix: string) => {
      const run = await startFleet({
        mqttUrl: broker.url,
        table,
        chargers: 3,
        prefix,
        seed,
        timeFactor: 3600,
        timing: { sessionS: [300, 300], idleS: [60, 120], authTimeoutMs: 2000 },
      });
      const requestsOf = (chargerId: string) =>
        broker.messages.filter((m) => m.clientId === chargerId && kindOf(m) === 'authRequest').length;
      await waitFor(
        () => run.chargerIds.every((id) => requestsOf(id) >= 3),
        8000,
        'three auth requests per charger',
      );
      await run.stop();
      return run.chargerIds.map((chargerId) =>
        broker.messages
          .filter((m) => m.clientId === chargerId && kindOf(m) === 'authRequest')
          .slice(0, 3)
          .map((m) => body<{ idTag: string; connectorId: number }>(m))
          .map(({ idTag, connectorId }) => `${idTag.slice(prefix.length)}@${connectorId}`),
      );
    };
    const first = await firstTags(42, 'DETA');
    const second = await firstTags(42, 'DETB');
    const other = await firstTags(43, 'DETC');
    expect(first.every((tags) => tags.length === 3)).toBe(true);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('fails clearly, leaving nothing running, when the broker refuses the credentials', async () => {
    const otherTable = await createTestTable('simulator-other');
    const strictBroker = await startTestBroker(otherTable, decideByTag);
    try {
      await expect(
        startFleet({ mqttUrl: strictBroker.url, table, chargers: 1, prefix: 'NOPE', seed: 1, ...fast }),
      ).rejects.toThrow(/simulator could not connect to mqtt:\/\/127\.0\.0\.1:\d+: .*NOPE-001/);
      expect(strictBroker.refusedLogins).toContain('NOPE-001');
      expect(strictBroker.messages).toEqual([]);
    } finally {
      await strictBroker.close();
      await otherTable.drop();
    }
  });
});

describe('an empty fleet', () => {
  it('registers nothing and stops at once', async () => {
    const empty = await startFleet({ mqttUrl: 'mqtt://127.0.0.1:1', table, chargers: 0, prefix: 'NONE' });
    expect(empty.chargerIds).toEqual([]);
    expect(await getIdTag(table, 'NONEB001')).toBeUndefined();
    await empty.stop();
    expect(empty.stats()).toMatchObject({ chargers: 0, connected: 0, sessionsStarted: 0 });
  });
});

describe('stopping', () => {
  it('does not wait out a pending auth request, and does not count it as unanswered', async () => {
    const silentBroker = await startTestBroker(table, () => undefined);
    try {
      const run = await startFleet({
        mqttUrl: silentBroker.url,
        table,
        chargers: 1,
        prefix: 'WAIT',
        seed: 1,
        timeFactor: 3600,
        timing: { idleS: [0, 0], authTimeoutMs: 30_000 },
      });
      await waitFor(
        () => silentBroker.messages.some((m) => kindOf(m) === 'authRequest'),
        5000,
        'an auth request',
      );
      const stopping = Date.now();
      await run.stop();
      expect(Date.now() - stopping).toBeLessThan(2000);
      expect(run.stats().authDecisions.NoResponse).toBe(0);
      expect(run.stats().connected).toBe(0);
    } finally {
      await silentBroker.close();
    }
  });

  it('stops promptly when the broker went away first', async () => {
    const doomedBroker = await startTestBroker(table, decideByTag);
    const run = await startFleet({
      mqttUrl: doomedBroker.url,
      table,
      chargers: 2,
      prefix: 'GONE',
      seed: 2,
      idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
      timeFactor: 3600,
      timing: { sessionS: [36_000, 36_000], idleS: [0, 0], authTimeoutMs: 2000 },
    });
    await waitFor(() => run.stats().sessionsActive === 2, 5000, 'two sessions charging');
    await doomedBroker.close();
    const stopping = Date.now();
    await run.stop();
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect(run.stats().sessionsActive).toBe(0);
  });
});
