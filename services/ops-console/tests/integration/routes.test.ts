import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { addIdTag, entities, getCharger, getIdTag, itemOf, sessionListingItem } from '@evcharge/dynamo';
import { registerChargerLocally } from '@evcharge/local-identity';
import {
  createTestTable,
  type IotDataPlaneRecorder,
  lambdaContextFor,
  startIotDataPlaneRecorder,
  type TestTable,
} from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type OperatorEventOptions, operatorEvent, session } from '../helpers/factories.js';

type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: ReturnType<typeof lambdaContextFor>,
) => Promise<APIGatewayProxyStructuredResultV2>;

let table: TestTable;
let iotData: IotDataPlaneRecorder;
const handlers: Record<string, HttpHandler> = {};
const routes = {
  getFleet: ['GET', '/ops/api/fleet', 'get-fleet'],
  listSessions: ['GET', '/ops/api/sessions', 'list-sessions'],
  getSession: ['GET', '/ops/api/sessions/{sessionId}', 'get-session'],
  getEnergy: ['GET', '/ops/api/energy', 'get-energy'],
  getChargerEnergy: ['GET', '/ops/api/chargers/{chargerId}/energy', 'get-charger-energy'],
  sendCommand: ['POST', '/ops/api/chargers/{chargerId}/commands', 'send-command'],
  getCommand: ['GET', '/ops/api/chargers/{chargerId}/commands/{requestId}', 'get-command'],
  commissionCharger: ['POST', '/ops/api/chargers/{chargerId}/commission', 'commission-charger'],
  blockIdTag: ['POST', '/ops/api/idtags/{idTag}/block', 'block-idtag'],
  acknowledgeAlert: ['POST', '/ops/api/alerts/{chargerId}/{kind}/acknowledge', 'acknowledge-alert'],
  listAudit: ['GET', '/ops/api/audit', 'list-audit'],
} as const;
type RouteName = keyof typeof routes;

async function call(name: RouteName, options: Omit<OperatorEventOptions, 'method' | 'route'> = {}) {
  const [method, route] = routes[name];
  const result = await handlers[name]?.(
    operatorEvent({ method, route, ...options }),
    lambdaContextFor('ops-console', name),
  );
  if (!result) throw new Error(`no handler ${name}`);
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}

const active = session({ chargerId: 'CP-OPS-1', connectorId: 1, startedAt: '2026-12-06T23:50:00.000Z' });

beforeAll(async () => {
  table = await createTestTable('ops-console');
  iotData = await startIotDataPlaneRecorder();
  process.env.TABLE_NAME = table.tableName;
  process.env.AWS_ENDPOINT_URL_IOT_DATA_PLANE = iotData.endpoint;
  for (const [name, [, , file]] of Object.entries(routes)) {
    handlers[name] = ((await import(`../../src/handlers/${file}.js`)) as { handler: HttpHandler }).handler;
  }
  const now = new Date();
  await registerChargerLocally(table, { chargerId: 'CP-OPS-1', connectorCount: 2, now });
  await registerChargerLocally(table, { chargerId: 'CP-OPS-PENDING', connectorCount: 1, now, pending: true });
  await addIdTag(table, { idTag: 'TAG-ALICE', userId: 'alice' });
  const put = (item: object) =>
    table.client.send(new PutCommand({ TableName: table.tableName, Item: item as Record<string, unknown> }));
  await put(itemOf(entities.session, active));
  await put(sessionListingItem(active));
  for (const [index, at] of ['2026-12-06T23:55:00.000Z', '2026-12-07T00:00:00.000Z'].entries()) {
    await put(
      itemOf(entities.meterReading, {
        chargerId: 'CP-OPS-1',
        connectorId: 1,
        messageId: randomUUID(),
        at,
        receivedAt: at,
        registerWh: 10_000 + index * 500,
        powerW: 7000,
        context: 'Sample.Periodic',
      }),
    );
  }
  await put(
    itemOf(entities.alert, {
      chargerId: 'CP-OPS-1',
      kind: ALERT_KIND,
      status: 'open',
      firstSeenAt: '2026-12-07T00:00:00.000Z',
      lastSeenAt: '2026-12-07T00:01:00.000Z',
      detail: 'seen by a test',
      episodes: 1,
    }),
  );
});

afterAll(async () => {
  await iotData.close();
  await table.drop();
});

const ALERT_KIND = 'flapping';

describe('the operator role', () => {
  it.each(Object.keys(routes) as RouteName[])(
    '%s answers 403 to a signed-in user outside operators',
    async (name) => {
      const result = await call(name, {
        groups: undefined,
        pathParameters: {
          chargerId: 'CP-OPS-1',
          sessionId: active.sessionId,
          requestId: randomUUID(),
          idTag: 'TAG-ALICE',
          kind: ALERT_KIND,
        },
        body: {},
      });
      expect(result.statusCode).toBe(403);
    },
  );

  it('answers 403 to another group and 401 without a subject', async () => {
    expect((await call('getFleet', { groups: '[drivers]' })).statusCode).toBe(403);
    expect((await call('getFleet', { userId: null })).statusCode).toBe(401);
  });
});

describe('reads', () => {
  it('GET fleet lists the chargers with their connectors and alerts; the same view again is a 304', async () => {
    const first = await call('getFleet');
    expect(first.statusCode).toBe(200);
    expect(first.json.chargers.map((charger: { chargerId: string }) => charger.chargerId)).toEqual([
      'CP-OPS-1',
      'CP-OPS-PENDING',
    ]);
    expect(first.json.chargers[1]).toMatchObject({ registrationStatus: 'Pending' });
    expect(first.json.alerts).toEqual([expect.objectContaining({ chargerId: 'CP-OPS-1', state: 'open' })]);
    const etag = first.headers?.etag;
    expect(etag).toBeDefined();
    const again = await call('getFleet', { headers: { 'if-none-match': String(etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it("GET sessions lists every user's sessions; one session comes with its connector's readings", async () => {
    const list = await call('listSessions');
    expect(list.json.sessions).toEqual([
      expect.objectContaining({ sessionId: active.sessionId, active: true }),
    ]);
    const detail = await call('getSession', { pathParameters: { sessionId: active.sessionId } });
    expect(detail.statusCode).toBe(200);
    expect(detail.json.readings).toEqual([
      { at: '2026-12-06T23:55:00.000Z', registerWh: 10_000, powerW: 7000 },
      { at: '2026-12-07T00:00:00.000Z', registerWh: 10_500, powerW: 7000 },
    ]);
    expect((await call('getSession', { pathParameters: { sessionId: randomUUID() } })).statusCode).toBe(404);
    const bad = await call('getSession', { pathParameters: { sessionId: 'not-a-uuid' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.message).toMatch(/^sessionId: /);
  });

  it('GET energy gives 24 hourly buckets for the fleet and per site', async () => {
    const energy = await call('getEnergy');
    expect(energy.statusCode).toBe(200);
    expect(energy.json.hours).toHaveLength(24);
    expect(Object.keys(energy.json.sites)).toEqual(['unassigned']);
  });

  it("GET a charger's energy gives telemetry's hourly aggregates in the range asked, 400 naming a bad bound", async () => {
    for (const [hour, energyWh] of [
      ['2026-12-06T09', 1_000],
      ['2026-12-06T10', 2_500],
      ['2026-12-06T12', 700],
    ] as const) {
      await table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: itemOf(entities.chargerEnergyHour, {
            chargerId: 'CP-OPS-1',
            hour,
            registers: { '1': { minWh: 0, maxWh: energyWh } },
            energyWh,
          }),
        }),
      );
    }
    const energy = await call('getChargerEnergy', {
      pathParameters: { chargerId: 'CP-OPS-1' },
      queryStringParameters: { from: '2026-12-06T10', to: '2026-12-06T12:30:00Z' },
    });
    expect(energy.statusCode).toBe(200);
    expect(energy.json).toEqual({
      chargerId: 'CP-OPS-1',
      from: '2026-12-06T10',
      to: '2026-12-06T12',
      hours: [
        { hour: '2026-12-06T10', energyWh: 2_500 },
        { hour: '2026-12-06T12', energyWh: 700 },
      ],
    });
    const day = await call('getChargerEnergy', {
      pathParameters: { chargerId: 'CP-OPS-1' },
      queryStringParameters: { from: '2026-12-06', to: '2026-12-06T23' },
    });
    expect(day.json.hours).toHaveLength(3);
    const bad = await call('getChargerEnergy', {
      pathParameters: { chargerId: 'CP-OPS-1' },
      queryStringParameters: { from: 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('from');
    const reversed = await call('getChargerEnergy', {
      pathParameters: { chargerId: 'CP-OPS-1' },
      queryStringParameters: { from: '2026-12-07', to: '2026-12-06' },
    });
    expect(reversed.statusCode).toBe(400);
  });
});

describe('actions, each audited', () => {
  it('POST commands publishes the contract command (the CLI operation) and GET reads it back', async () => {
    const sent = await call('sendCommand', {
      pathParameters: { chargerId: 'CP-OPS-1' },
      body: { action: 'TriggerMessage', payload: { requestedMessage: 'MeterValues', connectorId: 1 } },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json).toMatchObject({ chargerId: 'CP-OPS-1', action: 'TriggerMessage', state: 'pending' });
    expect(iotData.publishesTo('chargers/CP-OPS-1/command')).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({
          requestId: sent.json.requestId,
          action: 'TriggerMessage',
          payload: { requestedMessage: 'MeterValues', connectorId: 1 },
        }),
      }),
    ]);
    const read = await call('getCommand', {
      pathParameters: { chargerId: 'CP-OPS-1', requestId: sent.json.requestId },
    });
    expect(read.json).toMatchObject({ requestId: sent.json.requestId, state: 'pending' });
  });

  it.each([
    [{ action: 'Explode' }, /^action: /],
    [{ action: 'Reset', payload: { type: 'Gentle' } }, /^payload\.type: /],
    [
      { action: 'UnlockConnector', payload: { connectorId: 3 } },
      /has 2 connector\(s\); there is no connector 3/,
    ],
    [{ action: 'Reset', payload: { type: 'Soft' }, timeoutS: 0 }, /^timeoutS: /],
    ['not json', /^\(body\): /],
  ])('POST commands refuses %j with a 400 naming the field', async (body, message) => {
    const result = await call('sendCommand', { pathParameters: { chargerId: 'CP-OPS-1' }, body });
    expect(result.statusCode).toBe(400);
    expect(result.json.message).toMatch(message);
  });

  it('POST commands to an unknown charger is a 404 and sends nothing', async () => {
    const before = iotData.publishes.length;
    const result = await call('sendCommand', {
      pathParameters: { chargerId: 'CP-NOBODY' },
      body: { action: 'Reset', payload: { type: 'Soft' } },
    });
    expect(result.statusCode).toBe(404);
    expect(iotData.publishes).toHaveLength(before);
  });

  it('POST commission accepts a pending charger (the CLI repository call)', async () => {
    const result = await call('commissionCharger', { pathParameters: { chargerId: 'CP-OPS-PENDING' } });
    expect(result.json).toEqual({
      chargerId: 'CP-OPS-PENDING',
      registrationStatus: 'Accepted',
      alreadyAccepted: false,
    });
    expect((await getCharger(table, 'CP-OPS-PENDING'))?.registrationStatus).toBe('Accepted');
    expect((await call('commissionCharger', { pathParameters: { chargerId: 'CP-NOBODY' } })).statusCode).toBe(
      404,
    );
  });

  it('POST block blocks a known idTag; an unknown one is a 404', async () => {
    expect((await call('blockIdTag', { pathParameters: { idTag: 'TAG-ALICE' } })).statusCode).toBe(200);
    expect((await getIdTag(table, 'TAG-ALICE'))?.status).toBe('Blocked');
    expect((await call('blockIdTag', { pathParameters: { idTag: 'NOPE' } })).statusCode).toBe(404);
    expect((await call('blockIdTag', { pathParameters: { idTag: 'X'.repeat(21) } })).statusCode).toBe(400);
  });

  it('POST acknowledge marks the alert with who and when; the fleet shows it', async () => {
    const kind = ALERT_KIND;
    const result = await call('acknowledgeAlert', { pathParameters: { chargerId: 'CP-OPS-1', kind } });
    expect(result.json).toMatchObject({ chargerId: 'CP-OPS-1', kind, acknowledgedBy: 'olga' });
    const fleet = await call('getFleet');
    expect(fleet.json.alerts[0]).toMatchObject({ acknowledgedBy: 'olga' });
    expect(
      (await call('acknowledgeAlert', { pathParameters: { chargerId: 'CP-OPS-PENDING', kind } })).statusCode,
    ).toBe(404);
    expect(
      (await call('acknowledgeAlert', { pathParameters: { chargerId: 'CP-OPS-1', kind: 'nope' } }))
        .statusCode,
    ).toBe(400);
  });

  it('GET audit lists every action above with who, what and its outcome, newest first', async () => {
    const { json } = await call('listAudit');
    const entries = json.entries as { operatorId: string; action: string; target: string; outcome: string }[];
    expect(entries.every((entry) => entry.operatorId === 'olga')).toBe(true);
    expect(entries.map((entry) => `${entry.action} ${entry.target} ${entry.outcome}`)).toEqual(
      expect.arrayContaining([
        'command TriggerMessage CP-OPS-1 ok',
        'command Explode CP-OPS-1 refused',
        'command Reset CP-NOBODY refused',
        'commission CP-OPS-PENDING ok',
        'block idTag TAG-ALICE ok',
        'block idTag NOPE refused',
        `acknowledge alert CP-OPS-1 ${ALERT_KIND} ok`,
      ]),
    );
    const times = (json.entries as { at: string }[]).map((entry) => entry.at);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
