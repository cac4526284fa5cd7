import { randomUUID } from 'node:crypto';
import {
  type ChargerTopicKind,
  chargerTopicPermissions,
  deviceTopicSchemas,
  parseChargerTopic,
} from '@evcharge/domain';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Fleet, type FleetOptions, startFleet } from '../../src/fleet.js';
import {
  allContractTopics,
  type ReceivedMessage,
  startTestBroker,
  type TestBroker,
  waitFor,
} from '../helpers/broker.js';

// v2 chargers (OCPP 1.6 shaped) against the in-test broker, which answers boot, authorize and transaction
// start/stop as the services do and enforces the topic grants it is given.

const kindOf = (message: ReceivedMessage) => parseChargerTopic(message.topic)?.kind;
const body = <T = Record<string, unknown>>(message: ReceivedMessage) => JSON.parse(message.payload) as T;
const isValid = (message: ReceivedMessage) => {
  const kind = kindOf(message);
  if (!kind || !(kind in deviceTopicSchemas)) return false;
  return deviceTopicSchemas[kind as keyof typeof deviceTopicSchemas].safeParse(body(message)).success;
};

const decideByTag = (idTag: string) => {
  if (idTag.includes('V')) return { status: 'Accepted' };
  if (idTag.includes('B')) return { status: 'Blocked' };
  if (idTag.includes('X')) return { status: 'Expired' };
  return { status: 'Invalid' };
};

// 1 real ms = 3.6 simulated s: a 30-minute session in 500 ms, readings every 250 ms (boot's 900 s).
const fast: Partial<FleetOptions> = {
  timeFactor: 3600,
  faultRate: 0,
  idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
  timing: { sessionS: [1800, 1800], idleS: [60, 120], authTimeoutMs: 2000 },
};

let table: TestTable;
let broker: TestBroker;
let openBroker: TestBroker;
let fleet: Fleet | undefined;

beforeAll(async () => {
  table = await createTestTable('simulator-v2');
  broker = await startTestBroker(table, decideByTag);
  openBroker = await startTestBroker(table, decideByTag, { permissions: allContractTopics });
});
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});
afterAll(async () => {
  await broker.close();
  await openBroker.close();
  await table.drop();
});

const from = (target: TestBroker, chargerId: string) =>
  target.messages.filter((message) => message.clientId === chargerId);
const ofKind = (messages: ReceivedMessage[], kind: ChargerTopicKind) =>
  messages.filter((message) => kindOf(message) === kind);

describe('a v2 charger', () => {
  it('boots, then runs authorize → Preparing → transaction/start → readings → transaction/stop → Finishing → Available', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 0,
      v2Chargers: 1,
      prefix: 'CYC2',
      seed: 7,
      ...fast,
    });
    expect(fleet.chargerIds).toEqual(['CYC2-001']);
    await waitFor(() => fleet!.stats().sessionsCompleted >= 1, 8000, 'a completed transaction');
    await fleet.stop();

    const messages = from(broker, 'CYC2-001');
    expect(messages.filter((message) => !isValid(message))).toEqual([]);
    // Only granted topics (the broker refuses anything else, which would have cost the connection).
    const granted = chargerTopicPermissions('CYC2-001').publish;
    expect(messages.filter((message) => !granted.includes(message.topic))).toEqual([]);
    expect(kindOf(messages[0]!)).toBe('boot');
    expect(ofKind(messages, 'authRequest')).toEqual([]);
    expect(ofKind(messages, 'plug')).toEqual([]);

    const [first] = broker.transactions.get('CYC2-001') ?? [];
    expect(first).toBeDefined();
    const { transactionId, sessionId, connectorId } = first!;
    // The connector's story, in the order the charger sent it.
    const story = messages
      .map((message) => ({ kind: kindOf(message), payload: body(message) }))
      .filter(({ kind, payload }) => {
        if (kind === 'status') return payload.connectorId === connectorId;
        if (kind === 'meter') return payload.transactionId === transactionId;
        return kind === 'authorize' || kind === 'transactionStart' || kind === 'transactionStop';
      })
      .map(({ kind, payload }) => {
        if (kind === 'status') return `status ${String(payload.status)}`;
        if (kind === 'meter') {
          const [value] = payload.meterValue as { sampledValue: { context: string }[] }[];
          return `meter ${value?.sampledValue[0]?.context}`;
        }
        return kind;
      });
    const startIndex = story.indexOf('transactionStart');
    const stopIndex = story.indexOf('transactionStop');
    expect(story.slice(0, startIndex + 3)).toEqual([
      'status Available',
      'authorize',
      'status Preparing',
      'transactionStart',
      'status Charging',
      'meter Transaction.Begin',
    ]);
    expect(story.slice(startIndex + 3, stopIndex - 1).every((step) => step === 'meter Sample.Periodic')).toBe(
      true,
    );
    expect(story.slice(stopIndex - 1, stopIndex + 3)).toEqual([
      'meter Transaction.End',
      'transactionStop',
      'status Finishing',
      'status Available',
    ]);

    // The stop names the transactionId the cloud gave, and the readings its session.
    const start = body(ofKind(messages, 'transactionStart')[0]!);
    const stop = body(ofKind(messages, 'transactionStop')[0]!);
    expect(start).toMatchObject({ connectorId, idTag: 'CYC2V001' });
    expect(stop).toMatchObject({ transactionId });
    expect(['Local', 'EVDisconnected']).toContain(stop.reason);
    expect(stop.meterStop as number).toBeGreaterThan(start.meterStart as number);
    const readings = ofKind(messages, 'meter').map((message) => body(message));
    expect(
      readings
        .filter((reading) => reading.transactionId === transactionId)
        .every((r) => r.sessionId === sessionId),
    ).toBe(true);
    // A charger's device times strictly rise: v2 state is ordered by them.
    const times = messages
      .filter((m) => kindOf(m) !== 'heartbeat')
      .map((m) => {
        const payload = body(m);
        const at = payload.at ?? (payload.meterValue as { timestamp: string }[])[0]?.timestamp;
        return Date.parse(String(at));
      });
    for (let index = 1; index < times.length; index++)
      expect(times[index]).toBeGreaterThan(times[index - 1]!);

    const stats = fleet.stats();
    expect(stats.protocols).toEqual({ v1: 0, v2: 1, ocpp: 0 });
    expect(stats.bootDecisions.Accepted).toBe(1);
    expect(stats.transactions.started).toBe(broker.transactions.get('CYC2-001')?.length);
    expect(stats.sessionsActive).toBe(0);
    expect(stats.errors).toBe(0);
  });

  it('stops a start refused for its tag at once (DeAuthorized, nothing delivered)', async () => {
    // Authorize accepts, the start refuses: the tag was blocked in between.
    const blockedInBetween = await startTestBroker(table, decideByTag, {
      decideStart: () => ({ status: 'Blocked' }),
    });
    try {
      fleet = await startFleet({
        mqttUrl: blockedInBetween.url,
        table,
        chargers: 0,
        v2Chargers: 1,
        prefix: 'REF2',
        seed: 3,
        ...fast,
      });
      await waitFor(() => fleet!.stats().transactions.refused >= 2, 8000, 'two refused starts');
      await fleet.stop();
      const messages = from(blockedInBetween, 'REF2-001');
      const starts = ofKind(messages, 'transactionStart').map((message) => body(message));
      const stops = ofKind(messages, 'transactionStop').map((message) => body(message));
      const given = blockedInBetween.transactions.get('REF2-001') ?? [];
      expect(stops.length).toBeGreaterThanOrEqual(2);
      for (const [index, stop] of stops.entries()) {
        expect(stop).toMatchObject({
          transactionId: given[index]?.transactionId,
          reason: 'DeAuthorized',
          meterStop: starts[index]?.meterStart,
        });
      }
      expect(messages.filter((m) => kindOf(m) === 'status' && body(m).status === 'Charging')).toEqual([]);
      expect(ofKind(messages, 'meter')).toEqual([]);
      expect(fleet.stats()).toMatchObject({ sessionsStarted: 0, errors: 0 });
    } finally {
      await blockedInBetween.close();
    }
  });

  it('resends an unanswered transaction/start, the same message, until the answer comes', async () => {
    let starts = 0;
    const slow = await startTestBroker(table, decideByTag, {
      // The first attempt goes unanswered, as when the answer is lost or later than the charger waits.
      decideStart: (idTag) => (++starts === 1 ? undefined : decideByTag(idTag)),
    });
    try {
      fleet = await startFleet({
        mqttUrl: slow.url,
        table,
        chargers: 0,
        v2Chargers: 1,
        prefix: 'RTY2',
        seed: 6,
        ...fast,
        timing: { ...fast.timing, authTimeoutMs: 300 },
      });
      await waitFor(() => fleet!.stats().sessionsStarted >= 1, 8000, 'a started transaction');
      await fleet.stop();
      const startMessages = ofKind(from(slow, 'RTY2-001'), 'transactionStart');
      expect(startMessages[1]?.payload).toBe(startMessages[0]?.payload);
      expect(fleet.stats().transactions).toMatchObject({ unanswered: 0 });
    } finally {
      await slow.close();
    }
  });

  it('never starts a transaction after a refused authorize', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 0,
      v2Chargers: 2,
      prefix: 'REJ2',
      seed: 11,
      ...fast,
      idTagMix: { valid: 0, blocked: 1, expired: 1, unknown: 1 },
    });
    await waitFor(
      () => {
        const decisions = fleet!.stats().authDecisions;
        return decisions.Blocked + decisions.Expired + decisions.Invalid >= 6;
      },
      8000,
      'six refusals',
    );
    await fleet.stop();
    const messages = broker.messages.filter((m) => m.clientId.startsWith('REJ2-'));
    expect(ofKind(messages, 'authorize').length).toBeGreaterThanOrEqual(6);
    expect(ofKind(messages, 'transactionStart')).toEqual([]);
    expect(messages.filter((m) => kindOf(m) === 'status' && body(m).status === 'Preparing')).toEqual([]);
  });

  it('boots again after Pending, and starts nothing meanwhile', async () => {
    const pending = await startTestBroker(table, decideByTag, { bootStatus: 'Pending' });
    try {
      fleet = await startFleet({
        mqttUrl: pending.url,
        table,
        chargers: 0,
        v2Chargers: 1,
        prefix: 'PEN2',
        seed: 1,
        ...fast,
      });
      await waitFor(() => fleet!.stats().bootDecisions.Pending >= 3, 5000, 'three Pending boots');
      await fleet.stop();
      const kinds = new Set(pending.messages.filter((m) => m.clientId === 'PEN2-001').map(kindOf));
      expect([...kinds]).toEqual(['boot']);
    } finally {
      await pending.close();
    }
  });

  it('reports faults and their recovery', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 0,
      v2Chargers: 1,
      prefix: 'FLT2',
      seed: 5,
      ...fast,
      faultRate: 1,
    });
    await waitFor(() => fleet!.stats().faults >= 2, 8000, 'two faults');
    await fleet.stop();
    const statuses = ofKind(from(broker, 'FLT2-001'), 'status').map((message) => body(message));
    const faulted = statuses.filter((status) => status.status === 'Faulted');
    expect(faulted.length).toBeGreaterThanOrEqual(2);
    for (const fault of faulted) {
      expect(fault.errorCode).not.toBe('NoError');
      const recovery = statuses.find(
        (status) =>
          status.connectorId === fault.connectorId &&
          Date.parse(String(status.at)) > Date.parse(String(fault.at)),
      );
      expect(recovery).toMatchObject({ status: 'Available', errorCode: 'NoError' });
    }
  });

  it('answers remote start and stop, runs them, and drops requests past their expiresAt', async () => {
    fleet = await startFleet({
      mqttUrl: openBroker.url,
      table,
      chargers: 0,
      v2Chargers: 1,
      prefix: 'REM2',
      seed: 9,
      ...fast,
      topicPermissions: allContractTopics,
      // Idle long enough that the charger is free when the remote start comes, and sessions that only a stop ends.
      timing: { sessionS: [36_000, 36_000], idleS: [36_000, 36_000], authTimeoutMs: 2000 },
    });
    const chargerId = 'REM2-001';
    await waitFor(() => fleet!.stats().bootDecisions.Accepted === 1, 5000, 'the boot');
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const expiredStart = randomUUID();
    openBroker.sendToCharger('remoteStart', chargerId, {
      requestId: expiredStart,
      connectorId: 2,
      idTag: 'REM2V001',
      expiresAt: iso(now - 1000),
      at: iso(now - 60_000),
    });
    const remoteStart = randomUUID();
    openBroker.sendToCharger('remoteStart', chargerId, {
      requestId: remoteStart,
      connectorId: 2,
      idTag: 'REM2V001',
      expiresAt: iso(now + 30_000),
      at: iso(now),
    });
    await waitFor(() => fleet!.stats().sessionsActive === 1, 5000, 'the remote start to charge');
    const messages = () => from(openBroker, chargerId);
    const answers = () => ofKind(messages(), 'remoteResponse').map((message) => body(message));
    expect(answers()).toEqual([expect.objectContaining({ requestId: remoteStart, status: 'Accepted' })]);
    const start = body(ofKind(messages(), 'transactionStart').at(-1)!);
    expect(start).toMatchObject({ connectorId: 2, idTag: 'REM2V001' });
    const { transactionId, sessionId } = openBroker.transactions.get(chargerId)!.at(-1)!;

    const wrongStop = randomUUID();
    const remoteStop = randomUUID();
    for (const [requestId, id] of [
      [wrongStop, transactionId + 1000],
      [remoteStop, transactionId],
    ] as const) {
      openBroker.sendToCharger('remoteStop', chargerId, {
        requestId,
        transactionId: id,
        sessionId,
        expiresAt: iso(Date.now() + 30_000),
        at: iso(Date.now()),
      });
    }
    await waitFor(() => ofKind(messages(), 'transactionStop').length === 1, 5000, 'the remote stop');
    expect(answers()).toEqual([
      expect.objectContaining({ requestId: remoteStart, status: 'Accepted' }),
      expect.objectContaining({ requestId: wrongStop, status: 'Rejected' }),
      expect.objectContaining({ requestId: remoteStop, status: 'Accepted' }),
    ]);
    expect(body(ofKind(messages(), 'transactionStop')[0]!)).toMatchObject({
      transactionId,
      reason: 'Remote',
    });
    const stoppedAt = Date.parse(String(body(ofKind(messages(), 'transactionStop')[0]!).at));
    const after = (status: string) =>
      ofKind(messages(), 'status').some(
        (m) =>
          body(m).connectorId === 2 &&
          body(m).status === status &&
          Date.parse(String(body(m).at)) > stoppedAt,
      );
    await waitFor(
      () => after('Finishing') && after('Available'),
      5000,
      'connector 2 Finishing, then Available',
    );
    expect(messages().filter((message) => !isValid(message))).toEqual([]);
    expect(fleet.stats()).toMatchObject({ expiredDropped: 1, remoteRequests: { accepted: 2, rejected: 1 } });
  });

  it('answers commands on command/response, and drops one past its expiresAt', async () => {
    fleet = await startFleet({
      mqttUrl: openBroker.url,
      table,
      chargers: 0,
      v2Chargers: 1,
      prefix: 'CMD2',
      seed: 4,
      ...fast,
      topicPermissions: allContractTopics,
      timing: { sessionS: [36_000, 36_000], idleS: [36_000, 36_000], authTimeoutMs: 2000 },
    });
    const chargerId = 'CMD2-001';
    await waitFor(() => fleet!.stats().bootDecisions.Accepted === 1, 5000, 'the boot');
    const send = (action: string, payload: object, expiresInMs = 30_000) => {
      const requestId = randomUUID();
      openBroker.sendToCharger('command', chargerId, {
        requestId,
        action,
        payload,
        expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
        at: new Date().toISOString(),
      });
      return requestId;
    };
    const expired = send('ClearCache', {}, -1000);
    const getConfiguration = send('GetConfiguration', { key: ['HeartbeatInterval', 'Nope'] });
    const changeConfiguration = send('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' });
    const readonlyKey = send('ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' });
    const unavailable = send('ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
    const trigger = send('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 });
    const unlock = send('UnlockConnector', { connectorId: 7 });
    const answers = () =>
      ofKind(from(openBroker, chargerId), 'commandResponse').map((message) => body(message));
    await waitFor(() => answers().length >= 6, 5000, 'six answers');
    const byRequest = new Map(answers().map((answer) => [answer.requestId, answer]));
    expect(byRequest.has(expired)).toBe(false);
    expect(byRequest.get(getConfiguration)).toMatchObject({
      status: 'Accepted',
      payload: {
        configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
        unknownKey: ['Nope'],
      },
    });
    expect(byRequest.get(changeConfiguration)).toMatchObject({ status: 'Accepted' });
    expect(byRequest.get(readonlyKey)).toMatchObject({ status: 'Rejected' });
    expect(byRequest.get(unavailable)).toMatchObject({ status: 'Accepted' });
    expect(byRequest.get(trigger)).toMatchObject({ status: 'Accepted' });
    expect(byRequest.get(unlock)).toMatchObject({ status: 'NotSupported' });
    await waitFor(
      () =>
        ofKind(from(openBroker, chargerId), 'status').filter(
          (m) => body(m).connectorId === 1 && body(m).status === 'Unavailable',
        ).length >= 2,
      5000,
      'connector 1 reported Unavailable, and again when triggered',
    );
    expect(fleet.stats()).toMatchObject({ expiredDropped: 1, errors: 0 });
    expect(fleet.stats().commands).toMatchObject({
      ClearCache: 0,
      GetConfiguration: 1,
      ChangeConfiguration: 2,
    });
  });
});

describe('a mixed fleet', () => {
  it('numbers v1 chargers first, then v2, each speaking its own topics', async () => {
    fleet = await startFleet({
      mqttUrl: broker.url,
      table,
      chargers: 1,
      v2Chargers: 1,
      prefix: 'MIX',
      seed: 2,
      ...fast,
    });
    expect(fleet.chargerIds).toEqual(['MIX-001', 'MIX-002']);
    await waitFor(() => fleet!.stats().sessionsCompleted >= 2, 8000, 'two completed sessions');
    await fleet.stop();
    const kinds = (chargerId: string) => new Set(from(broker, chargerId).map(kindOf));
    expect(kinds('MIX-001')).toContain('authRequest');
    expect(kinds('MIX-001')).not.toContain('boot');
    expect(kinds('MIX-002')).toContain('transactionStart');
    expect(kinds('MIX-002')).not.toContain('authRequest');
    expect(fleet.stats().protocols).toEqual({ v1: 1, v2: 1, ocpp: 0 });
    expect(fleet.stats().errors).toBe(0);
  });
});
