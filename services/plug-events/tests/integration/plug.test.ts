import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectorStatus, PlugEvent, PlugEventKind, Session, SessionStatus } from '@evcharge/domain';
import { getConnector, getIdTag, getSession, keys, listConnectorHistory } from '@evcharge/dynamo';
import type { Rejected } from '@evcharge/middleware';
import { createTestTable, type TestTable } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { PlugEventResult } from '../../src/store.js';
import { lambdaContext, plugRuleEvent, plugStream } from '../helpers/factories.js';
import { authorizeSession, registerTestCharger, seedSession } from '../helpers/seed.js';

type Handler = (event: unknown, context: Context) => Promise<PlugEventResult | Rejected>;

let table: TestTable;
let handler: Handler;
beforeAll(async () => {
  table = await createTestTable('plug-events');
  process.env.TABLE_NAME = table.tableName;
  ({ handler } = (await import('../../src/handlers/plug.js')) as unknown as { handler: Handler });
});
afterAll(async () => table.drop());

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const send = (event: PlugEvent) => handler(event, lambdaContext());
const sendAll = async (events: PlugEvent[]) => {
  for (const event of events) await send(event);
};

let chargerCounter = 0;
async function freshCharger(label: string): Promise<string> {
  chargerCounter++;
  const chargerId = `${label}-${chargerCounter}`.slice(0, 64);
  await registerTestCharger(table, chargerId);
  return chargerId;
}

type Initial = 'none' | 'Authorized' | 'Charging';

async function setUp(label: string, initial: Initial): Promise<{ chargerId: string; session?: Session }> {
  const chargerId = await freshCharger(label);
  if (initial === 'none') return { chargerId };
  const session = await seedSession(table, { chargerId, status: initial, startedAtMs: T0 });
  return { chargerId, session };
}

async function itemOf(key: { pk: string; sk: string }) {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** What the tests compare: the connector and its session as the table holds them. */
async function stateOf(chargerId: string, session?: Session) {
  const connector = await getConnector(table, chargerId, 1);
  const stored = session ? await itemOf(keys.session(session.sessionId)) : undefined;
  const tag = session ? await getIdTag(table, session.idTag) : undefined;
  return {
    plugged: connector?.plugged,
    status: connector?.status,
    holdsSession: connector?.activeSessionId !== undefined,
    lastEventAt: connector?.lastEventAt,
    lastEventReceivedAt: connector?.lastEventReceivedAt,
    sessionStatus: stored?.status as SessionStatus | undefined,
    chargingStartedAt: stored?.chargingStartedAt as string | undefined,
    endedAt: stored?.endedAt as string | undefined,
    durationS: stored?.durationS as number | undefined,
    deadlineArmed: stored ? stored.duePk !== undefined : undefined,
    tagSessions: tag?.activeSessionCount,
  };
}

/** What the latest event implies, computed independently of the service's code. */
function expectedState(initial: Initial, events: PlugEvent[]) {
  const kinds = events.map((event) => event.event);
  const plugged = kinds.at(-1) === 'plugged';
  let sessionStatus: SessionStatus | undefined;
  let chargingStartedAt: string | undefined;
  let endedAt: string | undefined;
  if (initial === 'Charging') {
    chargingStartedAt = iso(T0);
    const unplug = events.find((event) => event.event === 'unplugged');
    sessionStatus = unplug ? 'Completed' : 'Charging';
    endedAt = unplug ? iso(unplug.receivedAt) : undefined;
  } else if (initial === 'Authorized') {
    const plugIndex = kinds.indexOf('plugged');
    const unplug =
      plugIndex < 0 ? undefined : events.slice(plugIndex).find((event) => event.event === 'unplugged');
    sessionStatus = plugIndex < 0 ? 'Authorized' : unplug ? 'Completed' : 'Charging';
    chargingStartedAt = plugIndex < 0 ? undefined : iso(events[plugIndex]!.receivedAt);
    endedAt = unplug ? iso(unplug.receivedAt) : undefined;
  }
  const active = sessionStatus === 'Authorized' || sessionStatus === 'Charging';
  const status: ConnectorStatus =
    sessionStatus === 'Charging'
      ? 'Charging'
      : sessionStatus === 'Authorized' || plugged
        ? 'Preparing'
        : 'Available';
  return {
    plugged,
    status,
    holdsSession: active,
    lastEventAt: events.at(-1)!.at,
    sessionStatus,
    chargingStartedAt,
    endedAt,
    deadlineArmed: sessionStatus === undefined ? undefined : sessionStatus === 'Authorized',
    tagSessions: sessionStatus === undefined ? undefined : active ? 1 : 0,
  };
}

/** The fields that must not depend on arrival order. */
const orderFree = (state: Awaited<ReturnType<typeof stateOf>>) => ({
  plugged: state.plugged,
  status: state.status,
  holdsSession: state.holdsSession,
  lastEventAt: state.lastEventAt,
  sessionStatus: state.sessionStatus,
  deadlineArmed: state.deadlineArmed,
  tagSessions: state.tagSessions,
  ...(state.sessionStatus === 'Charging' ? { chargingStartedAt: state.chargingStartedAt } : {}),
});

function sequences(length: number): PlugEventKind[][] {
  if (length === 0) return [[]];
  return sequences(length - 1).flatMap((rest): PlugEventKind[][] => [
    ['plugged', ...rest],
    ['unplugged', ...rest],
  ]);
}

function permutations<Item>(items: Item[]): Item[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

/** The same events for another charger: same device and receive times, same ids (ids are per charger). */
const retarget = (events: PlugEvent[], chargerId: string) =>
  events.map((event) => ({ ...event, chargerId, clientId: chargerId }));

describe('every plug/unplug permutation, through the handler', () => {
  const streams = [1, 2, 3].flatMap((length) => sequences(length));
  const initials: Initial[] = ['none', 'Authorized', 'Charging'];
  const table_ = initials.flatMap((initial) => streams.map((kinds) => ({ initial, kinds })));

  it.each(table_)(
    '$initial + $kinds: in order, replayed, shuffled → what the latest event implies',
    async ({ initial, kinds }) => {
      const label = `P-${initial}-${kinds.map((kind) => kind[0]).join('')}`;
      const inOrder = await setUp(label, initial);
      const events = plugStream(inOrder.chargerId, kinds, T0);
      await sendAll(events);
      const inOrderState = await stateOf(inOrder.chargerId, inOrder.session);
      const { lastEventReceivedAt, durationS: _durationS, ...comparable } = inOrderState;
      expect(comparable).toEqual(expectedState(initial, events));
      expect(lastEventReceivedAt).toBe(events.at(-1)!.receivedAt);

      // Every event twice (Lambda retries): exactly the in-order state.
      const replayed = await setUp(label, initial);
      const replayEvents = retarget(events, replayed.chargerId);
      await sendAll(replayEvents.flatMap((event) => [event, event]));
      expect(await stateOf(replayed.chargerId, replayed.session)).toEqual(inOrderState);

      // Every arrival order.
      const shuffledStates = await Promise.all(
        permutations(events).map(async (shuffled) => {
          const run = await setUp(label, initial);
          await sendAll(retarget(shuffled, run.chargerId));
          return orderFree(await stateOf(run.chargerId, run.session));
        }),
      );
      for (const state of shuffledStates) expect(state).toEqual(orderFree(inOrderState));
    },
  );

  it('a shuffled plug, unplug, plug ends the session exactly as in order (same times and duration)', async () => {
    const inOrder = await setUp('SHUF', 'Authorized');
    const events = plugStream(inOrder.chargerId, ['plugged', 'unplugged', 'plugged'], T0);
    await sendAll(events);
    const expected = await stateOf(inOrder.chargerId, inOrder.session);
    expect(expected).toMatchObject({
      sessionStatus: 'Completed',
      chargingStartedAt: iso(events[0]!.receivedAt),
      endedAt: iso(events[1]!.receivedAt),
      durationS: 60,
      plugged: true,
      holdsSession: false,
      status: 'Preparing',
    });
    for (const shuffled of permutations(events)) {
      const run = await setUp('SHUF', 'Authorized');
      await sendAll(retarget(shuffled, run.chargerId));
      expect(await stateOf(run.chargerId, run.session)).toEqual(expected);
    }
  });

  it('events delivered concurrently (parallel Lambdas) end in the in-order state', async () => {
    for (const kinds of [
      ['plugged', 'unplugged', 'plugged', 'unplugged'],
      ['plugged', 'plugged', 'unplugged', 'plugged'],
    ] as PlugEventKind[][]) {
      const inOrder = await setUp('CONC', 'Authorized');
      const events = plugStream(inOrder.chargerId, kinds, T0);
      await sendAll(events);
      const expected = orderFree(await stateOf(inOrder.chargerId, inOrder.session));
      for (let round = 0; round < 3; round++) {
        const run = await setUp('CONC', 'Authorized');
        const results = await Promise.all(retarget(events, run.chargerId).map(send));
        expect(results.every((result) => !('rejected' in result))).toBe(true);
        expect(orderFree(await stateOf(run.chargerId, run.session))).toEqual(expected);
      }
    }
  });
});

describe('duplicates, older events and the history', () => {
  it('the same messageId twice changes nothing, even redelivered later by the device', async () => {
    const { chargerId, session } = await setUp('DUP', 'Authorized');
    const plug = plugRuleEvent({ chargerId, at: iso(T0 + 60_000), receivedAt: T0 + 60_150 });
    expect(await send(plug)).toMatchObject({ outcome: 'applied', sessionUpdate: { to: 'Charging' } });
    const connectorItem = await itemOf(keys.connector(chargerId, 1));
    const sessionItem = await itemOf(keys.session(session!.sessionId));

    expect(await send(plug)).toEqual({ outcome: 'duplicate', attempts: 1 });
    // A QoS 1 redelivery: same message, later receive time.
    expect(await send({ ...plug, receivedAt: plug.receivedAt + 5_000 })).toMatchObject({
      outcome: 'duplicate',
    });

    expect(await itemOf(keys.connector(chargerId, 1))).toEqual(connectorItem);
    expect(await itemOf(keys.session(session!.sessionId))).toEqual(sessionItem);
    expect((await listConnectorHistory(table, chargerId, 1)).events).toHaveLength(1);
  });

  it('an older event is kept in the history as ignored and not applied; the history reads newest first', async () => {
    const chargerId = await freshCharger('OLD');
    const [plug, unplug] = plugStream(chargerId, ['plugged', 'unplugged'], T0);
    expect(await send(unplug!)).toMatchObject({ outcome: 'ignored', reason: 'not-plugged' });
    expect(await send(plug!)).toMatchObject({ outcome: 'ignored', reason: 'older' });
    expect(await getConnector(table, chargerId, 1)).toMatchObject({
      plugged: false,
      status: 'Available',
      lastEventAt: unplug!.at,
    });
    const late = plugRuleEvent({ chargerId, at: iso(T0 + 600_000), receivedAt: T0 + 600_100 });
    expect(await send(late)).toMatchObject({ outcome: 'applied', connectorStatus: 'Preparing' });
    const again = plugRuleEvent({ chargerId, at: iso(T0 + 660_000), receivedAt: T0 + 660_100 });
    expect(await send(again)).toMatchObject({ outcome: 'ignored', reason: 'already-plugged' });

    const { events } = await listConnectorHistory(table, chargerId, 1);
    expect(events.map((event) => [event.event, event.outcome, event.reason, event.connectorStatus])).toEqual([
      ['plugged', 'ignored', 'already-plugged', 'Preparing'],
      ['plugged', 'applied', undefined, 'Preparing'],
      ['unplugged', 'ignored', 'not-plugged', 'Available'],
      ['plugged', 'ignored', 'older', 'Available'],
    ]);
    expect(events[1]).toMatchObject({
      messageId: late.messageId,
      at: late.at,
      receivedAt: iso(late.receivedAt),
    });
    const firstPage = await listConnectorHistory(table, chargerId, 1, { limit: 3 });
    expect(firstPage.events).toHaveLength(3);
    const secondPage = await listConnectorHistory(table, chargerId, 1, {
      limit: 3,
      startKey: firstPage.nextKey!,
    });
    expect(secondPage.events.map((event) => event.messageId)).toEqual([plug!.messageId]);
  });

  it('an unplug of a connector that is not plugged is recorded, not an error, and writes no liveness', async () => {
    const chargerId = await freshCharger('REBOOT');
    const before = await itemOf(keys.charger(chargerId));
    const unplug = plugRuleEvent({ chargerId, event: 'unplugged', receivedAt: Date.now() - 1_000 });
    expect(await send(unplug)).toMatchObject({ outcome: 'ignored', reason: 'not-plugged' });
    // Liveness is the connection's and the heartbeat's: the charger item is untouched.
    expect(await itemOf(keys.charger(chargerId))).toEqual(before);
  });

  it('refuses an unknown connector and an unregistered charger as bad input, writing nothing', async () => {
    const chargerId = await freshCharger('UNKNOWN');
    expect(await send(plugRuleEvent({ chargerId, connectorId: 2 }))).toMatchObject({
      rejected: true,
      errorClass: 'bad-input',
      field: 'connectorId',
    });
    expect(await send(plugRuleEvent({ chargerId: 'NEVER-REGISTERED' }))).toMatchObject({
      rejected: true,
      field: 'chargerId',
    });
    expect(
      await send({ ...plugRuleEvent({ chargerId }), event: 'wiggled' } as unknown as PlugEvent),
    ).toMatchObject({
      rejected: true,
      field: 'event',
    });
    expect((await listConnectorHistory(table, chargerId, 2)).events).toEqual([]);
    expect((await listConnectorHistory(table, 'NEVER-REGISTERED', 1)).events).toEqual([]);
  });
});

describe('session completion', () => {
  it('plug starts charging and disarms the timeout; unplug completes with energy, duration and cost', async () => {
    const chargerId = await freshCharger('DONE');
    const session = await seedSession(table, {
      chargerId,
      status: 'Authorized',
      startedAtMs: T0,
      energyStartWh: 10_000,
    });
    expect(await itemOf(keys.session(session.sessionId))).toHaveProperty('duePk');

    await send(plugRuleEvent({ chargerId, at: iso(T0 + 20_000), receivedAt: T0 + 20_000 }));
    const charging = await itemOf(keys.session(session.sessionId));
    expect(charging).toMatchObject({ status: 'Charging', chargingStartedAt: iso(T0 + 20_000) });
    expect(charging).not.toHaveProperty('duePk');
    expect(charging).not.toHaveProperty('dueAt');
    expect(await getConnector(table, chargerId, 1)).toMatchObject({ status: 'Charging', plugged: true });

    // What metering keeps on the session (ITEMS.md): the latest register and the running totals.
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.session(session.sessionId),
        UpdateExpression:
          'SET latestRegisterWh = :register, lastReadingAt = :readAt, energyWh = :energy, costMinor = :cost',
        ExpressionAttributeValues: {
          ':register': 32_345,
          ':readAt': iso(T0 + 3_000_000),
          ':energy': 22_000,
          ':cost': 7_700,
        },
      }),
    );

    const unplugAt = T0 + 20_000 + 3_725_400;
    const result = await send(
      plugRuleEvent({ chargerId, event: 'unplugged', at: iso(unplugAt), receivedAt: unplugAt }),
    );
    expect(result).toMatchObject({
      outcome: 'applied',
      sessionUpdate: { from: 'Charging', to: 'Completed' },
    });

    expect(await getSession(table, session.sessionId)).toMatchObject({
      status: 'Completed',
      endedAt: iso(unplugAt),
      durationS: 3_725,
      energyWh: 22_345, // 32 345 − 10 000
      costMinor: 7_821, // 22.345 kWh × 350 = 7820.75 → 7821
    });
    const connector = await getConnector(table, chargerId, 1);
    expect(connector).toMatchObject({
      plugged: false,
      status: 'Available',
      lastRegisterWh: 32_345,
      lastReadingAt: iso(T0 + 3_000_000),
    });
    expect(connector?.activeSessionId).toBeUndefined();
    expect((await getIdTag(table, session.idTag))?.activeSessionCount).toBe(0);
  });

  it('completes the session even when its tag count is already 0, without going below 0', async () => {
    const { chargerId, session } = await setUp('ZERO', 'Charging');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.idTag(session!.idTag),
        UpdateExpression: 'SET activeSessionCount = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
    const result = await send(plugRuleEvent({ chargerId, event: 'unplugged', receivedAt: T0 + 60_000 }));
    expect(result).toMatchObject({ outcome: 'applied', idTagCountWasZero: true });
    expect((await getSession(table, session!.sessionId))?.status).toBe('Completed');
    expect((await getIdTag(table, session!.idTag))?.activeSessionCount).toBe(0);
  });
});

describe('racing a new authorization', () => {
  // Charge-authorization's writes, racing this service's (same items, same conditions).
  const authorize = (chargerId: string, idTag: string, receivedAtMs: number) =>
    authorizeSession(table, { chargerId, connectorId: 1, idTag, receivedAtMs });

  /** Head starts from −16 ms to +20 ms for the authorization, so that each side commits first in some races. */
  const staggerMs = (race: number) => {
    const offset = ((race % 10) - 4) * 4;
    return offset >= 0 ? { plug: 0, auth: offset } : { plug: -offset, auth: 0 };
  };

  async function sessionsOf(sessionIds: string[]) {
    return (await Promise.all(sessionIds.map((sessionId) => getSession(table, sessionId)))).filter(
      (session): session is Session => session !== undefined,
    );
  }

  it('unplug vs authorization: never two sessions on a connector, never an orphan activeSessionId', async () => {
    const outcomes = { accepted: 0, refused: 0 };
    const { addIdTag } = await import('@evcharge/dynamo');
    const races = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const { chargerId, session } = await setUp('RACE', 'Charging');
        const newTag = `N-${randomUUID().slice(0, 13)}`;
        await addIdTag(table, { idTag: newTag, userId: 'user-next' });
        return { chargerId, session: session!, newTag };
      }),
    );
    for (const [race, { chargerId, session, newTag }] of races.entries()) {
      const [, auth] = await Promise.all([
        delay(staggerMs(race).plug).then(() =>
          send(plugRuleEvent({ chargerId, event: 'unplugged', receivedAt: T0 + 60_000 })),
        ),
        delay(staggerMs(race).auth).then(() => authorize(chargerId, newTag, T0 + 60_000)),
      ]);
      const newSessionId = auth.session?.sessionId;
      if (auth.attempt.status === 'Accepted') outcomes.accepted++;
      else outcomes.refused++;

      const sessions = await sessionsOf([session.sessionId, ...(newSessionId ? [newSessionId] : [])]);
      const active = sessions.filter((candidate) => ['Authorized', 'Charging'].includes(candidate.status));
      const connector = await getConnector(table, chargerId, 1);
      expect(sessions.find((candidate) => candidate.sessionId === session.sessionId)?.status).toBe(
        'Completed',
      );
      expect(active.length).toBeLessThanOrEqual(1);
      expect(connector?.activeSessionId).toBe(active[0]?.sessionId);
      if (active[0]) expect(active[0]).toMatchObject({ status: 'Authorized', sessionId: newSessionId });
      expect((await getIdTag(table, session.idTag))?.activeSessionCount).toBe(0);
      expect((await getIdTag(table, newTag))?.activeSessionCount).toBe(active.length);
      expect(connector?.status).toBe(active.length ? 'Preparing' : 'Available');
    }
    // Both orders happened, and the invariants held in each.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('plug vs authorization: the session always ends Charging on the plugged connector', async () => {
    const orders = { authorizedFirst: 0, pluggedFirst: 0 };
    const { addIdTag } = await import('@evcharge/dynamo');
    const races = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const chargerId = await freshCharger('PLUGRACE');
        const idTag = `P-${randomUUID().slice(0, 13)}`;
        await addIdTag(table, { idTag, userId: 'user-plug' });
        return { chargerId, idTag };
      }),
    );
    for (const [race, { chargerId, idTag }] of races.entries()) {
      const [plug, auth] = await Promise.all([
        delay(staggerMs(race).plug).then(() => send(plugRuleEvent({ chargerId, receivedAt: T0 + 60_000 }))),
        delay(staggerMs(race).auth).then(() => authorize(chargerId, idTag, T0 + 60_000)),
      ]);
      expect(auth.attempt.status).toBe('Accepted');
      if ('sessionUpdate' in plug && plug.sessionUpdate) orders.authorizedFirst++;
      else orders.pluggedFirst++;
      const stored = await itemOf(keys.session(auth.session!.sessionId));
      expect(stored).toMatchObject({ status: 'Charging' });
      expect(stored).not.toHaveProperty('duePk');
      expect(await getConnector(table, chargerId, 1)).toMatchObject({
        plugged: true,
        status: 'Charging',
        activeSessionId: auth.session!.sessionId,
      });
    }
    expect(orders.authorizedFirst).toBeGreaterThan(0);
    expect(orders.pluggedFirst).toBeGreaterThan(0);
  });
});
