import { describe, expect, it } from '@jest/globals';
import type * as z from 'zod/mini';
import {
  audienceOfKind,
  authRequestEventSchema,
  authRequestPayloadSchema,
  authResponsePayloadSchema,
  authStatuses,
  chargerIdSchema,
  connectedEventSchema,
  connectorIdSchema,
  disconnectedEventSchema,
  heartbeatEventSchema,
  heartbeatPayloadSchema,
  httpErrorBodySchema,
  idTagSchema,
  isoTimestampSchema,
  meterContexts,
  meterEventSchema,
  meterPayloadSchema,
  meterRequestAcceptedSchema,
  meterRequestPayloadSchema,
  mySessionsResponseSchema,
  type NotificationBody,
  notificationAttributes,
  notificationBodySchema,
  notificationKinds,
  plugEventSchema,
  plugPayloadSchema,
  presenceEventSchema,
  RULE_ENVELOPE_SQL,
  ruleEnvelopeSchema,
  ruleSql,
  sessionIdPathSchema,
  sessionStatuses,
  sessionStatusViewSchema,
  sessionSummarySchema,
  uuidSchema,
} from '../../src/index.js';

// Table-driven accept/reject cases for every schema of the v1 contract (docs/contract.md).

const requestId = '8f14e45f-ceea-467a-9e2b-6e2c1f2a1b3c';
const messageId = '0b7e7e84-4b5c-4f5e-9d8b-2d3c4b5a6f70';
const sessionId = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
const at = '2026-11-25T06:30:00.000Z';

type Payload = Record<string, unknown>;

/** The base with some fields replaced; a field set to `omit` is removed. */
const omit = Symbol('omit');
function variant(base: Payload, changes: Record<string, unknown>): Payload {
  const next: Payload = { ...base };
  for (const [field, value] of Object.entries(changes)) {
    if (value === omit) delete next[field];
    else next[field] = value;
  }
  return next;
}

/** Dotted path of the first issue, or the unrecognized key, so a reject names what it rejects. */
function rejectedField(schema: z.ZodMiniType, input: unknown): string | undefined {
  const result = schema.safeParse(input);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return [...issue.path, ...issue.keys].join('.');
  return issue.path.join('.');
}

type Case = readonly [description: string, input: Payload];
type RejectCase = readonly [description: string, input: Payload, field: string];

function describeSchema(
  name: string,
  schema: z.ZodMiniType,
  accept: readonly Case[],
  reject: readonly RejectCase[],
): void {
  describe(name, () => {
    it.each(accept)('accepts %s', (_description, input) => {
      expect(schema.safeParse(input)).toMatchObject({ success: true, data: input });
    });
    it.each(reject)('rejects %s (field %s)', (_description, input, field) => {
      expect(rejectedField(schema, input)).toBe(field);
    });
  });
}

describe('primitives', () => {
  const cases: readonly [string, z.ZodMiniType, readonly unknown[], readonly unknown[]][] = [
    [
      'chargerIdSchema',
      chargerIdSchema,
      ['a', 'CP-001', 'cp_01-Z9', 'x'.repeat(64)],
      ['', 'x'.repeat(65), 'cp/1', 'cp+1', 'cp#1', '+', '#', 'cp 1', 'cp.1', 'cpü', '$aws', 1, null],
    ],
    ['idTagSchema', idTagSchema, ['A', 'RFID-0001', 't'.repeat(20)], ['', 't'.repeat(21), 1234, null]],
    [
      'connectorIdSchema',
      connectorIdSchema,
      [1, 2, 999],
      [0, -1, 1.5, 1000, Number.NaN, Number.POSITIVE_INFINITY, '1', null],
    ],
    [
      'uuidSchema',
      uuidSchema,
      [requestId, requestId.toUpperCase(), '00000000-0000-0000-0000-000000000000'],
      [
        '',
        'not-a-uuid',
        requestId.replaceAll('-', ''),
        `${requestId}0`,
        requestId.slice(0, -1),
        '8f14e45f-ceea-067a-9e2b-6e2c1f2a1b3c', // version 0 does not exist
        `{${requestId}}`,
      ],
    ],
    [
      'isoTimestampSchema',
      isoTimestampSchema,
      [at, '2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00.000Z'],
      [
        '2026-11-25T06:30:00Z', // no milliseconds
        '2026-11-25T06:30:00.0Z',
        '2026-11-25T06:30:00.00Z',
        '2026-11-25T06:30:00.0000Z',
        '2026-11-25T06:30:00.000', // no zone
        '2026-11-25T06:30:00.000+09:00', // not UTC
        '2026-11-25T06:30:00.000+00:00',
        '2026-11-25 06:30:00.000Z',
        '2026-11-25',
        '2026-13-25T06:30:00.000Z',
        '2026-02-30T06:30:00.000Z',
        '2026-11-25T24:00:00.000Z',
        1764052200000,
      ],
    ],
  ];
  describe.each(cases)('%s', (_name, schema, valid, invalid) => {
    it.each(valid.map((value) => [value]))('accepts %p', (value) => {
      expect(schema.safeParse(value).success).toBe(true);
    });
    it.each(invalid.map((value) => [value]))('rejects %p', (value) => {
      expect(schema.safeParse(value).success).toBe(false);
    });
  });
});

describe('device → cloud payloads', () => {
  const authRequest: Payload = { requestId, connectorId: 1, idTag: 'RFID-0001', at };
  describeSchema(
    'auth/request',
    authRequestPayloadSchema,
    [
      ['a minimal request', authRequest],
      ['a 20-character idTag', variant(authRequest, { idTag: 'T'.repeat(20) })],
      ['connector 999', variant(authRequest, { connectorId: 999 })],
    ],
    [
      ['a missing requestId', variant(authRequest, { requestId: omit }), 'requestId'],
      ['a missing connectorId', variant(authRequest, { connectorId: omit }), 'connectorId'],
      ['a missing idTag', variant(authRequest, { idTag: omit }), 'idTag'],
      ['a missing at', variant(authRequest, { at: omit }), 'at'],
      ['a payload naming the charger', variant(authRequest, { chargerId: 'CP-1' }), 'chargerId'],
      ['an extra field', variant(authRequest, { userId: 'u1' }), 'userId'],
      ['a 21-character idTag', variant(authRequest, { idTag: 'T'.repeat(21) }), 'idTag'],
      ['an empty idTag', variant(authRequest, { idTag: '' }), 'idTag'],
      ['a numeric idTag', variant(authRequest, { idTag: 1234 }), 'idTag'],
      ['a bad requestId', variant(authRequest, { requestId: 'req-1' }), 'requestId'],
      ['connector 0', variant(authRequest, { connectorId: 0 }), 'connectorId'],
      ['a fractional connector', variant(authRequest, { connectorId: 1.5 }), 'connectorId'],
      ['a string connector', variant(authRequest, { connectorId: '1' }), 'connectorId'],
      ['a time without ms', variant(authRequest, { at: '2026-11-25T06:30:00Z' }), 'at'],
      ['a non-UTC time', variant(authRequest, { at: '2026-11-25T15:30:00.000+09:00' }), 'at'],
    ],
  );

  const heartbeat: Payload = { at };
  describeSchema(
    'heartbeat',
    heartbeatPayloadSchema,
    [
      ['only at', heartbeat],
      ['firmware and interval', variant(heartbeat, { firmware: '1.4.2', intervalS: 300 })],
      ['a 64-character firmware', variant(heartbeat, { firmware: 'f'.repeat(64) })],
      ['the shortest interval (10 s)', variant(heartbeat, { intervalS: 10 })],
      ['the longest interval (1 day)', variant(heartbeat, { intervalS: 86_400 })],
    ],
    [
      ['a missing at', {}, 'at'],
      ['a bad at', variant(heartbeat, { at: 'yesterday' }), 'at'],
      ['an empty firmware', variant(heartbeat, { firmware: '' }), 'firmware'],
      ['a 65-character firmware', variant(heartbeat, { firmware: 'f'.repeat(65) }), 'firmware'],
      ['an interval of 9 s', variant(heartbeat, { intervalS: 9 }), 'intervalS'],
      ['an interval over a day', variant(heartbeat, { intervalS: 86_401 }), 'intervalS'],
      ['a fractional interval', variant(heartbeat, { intervalS: 300.5 }), 'intervalS'],
      ['a negative interval', variant(heartbeat, { intervalS: -300 }), 'intervalS'],
      ['a NaN interval', variant(heartbeat, { intervalS: Number.NaN }), 'intervalS'],
      ['a string interval', variant(heartbeat, { intervalS: '300' }), 'intervalS'],
      ['an extra field', variant(heartbeat, { status: 'ok' }), 'status'],
    ],
  );

  const meter: Payload = {
    messageId,
    connectorId: 1,
    at,
    energy: { value: 12_345, unit: 'Wh' },
    context: 'Sample.Periodic',
  };
  describeSchema(
    'meter',
    meterPayloadSchema,
    [
      ['a periodic reading in Wh', meter],
      ['a reading in kWh', variant(meter, { energy: { value: 12.345, unit: 'kWh' } })],
      ['a zero register', variant(meter, { energy: { value: 0, unit: 'Wh' } })],
      ['the largest register (1e12 Wh)', variant(meter, { energy: { value: 1e12, unit: 'Wh' } })],
      ['a sessionId and power', variant(meter, { sessionId, powerW: 7_400 })],
      ['zero power', variant(meter, { powerW: 0 })],
      ['the smallest storable power', variant(meter, { powerW: 1e-130 })],
      ['a trigger answering a request', variant(meter, { context: 'Trigger', requestId })],
      ['a trigger without a requestId', variant(meter, { context: 'Trigger' })],
      ...meterContexts.map((context) => [`context ${context}`, variant(meter, { context })] as const),
    ],
    [
      ['a missing messageId', variant(meter, { messageId: omit }), 'messageId'],
      ['a missing connectorId', variant(meter, { connectorId: omit }), 'connectorId'],
      ['a missing at', variant(meter, { at: omit }), 'at'],
      ['a missing energy', variant(meter, { energy: omit }), 'energy'],
      ['a missing context', variant(meter, { context: omit }), 'context'],
      ['a bad messageId', variant(meter, { messageId: 'm-1' }), 'messageId'],
      ['a bad sessionId', variant(meter, { sessionId: 's-1' }), 'sessionId'],
      ['an extra field', variant(meter, { voltage: 230 }), 'voltage'],
      [
        'an extra energy field',
        variant(meter, { energy: { value: 1, unit: 'Wh', phase: 'L1' } }),
        'energy.phase',
      ],
      ['energy without a unit', variant(meter, { energy: { value: 1 } }), 'energy.unit'],
      ['energy without a value', variant(meter, { energy: { unit: 'Wh' } }), 'energy.value'],
      ['energy in MWh', variant(meter, { energy: { value: 1, unit: 'MWh' } }), 'energy.unit'],
      ['energy in lowercase wh', variant(meter, { energy: { value: 1, unit: 'wh' } }), 'energy.unit'],
      ['a negative register', variant(meter, { energy: { value: -1, unit: 'Wh' } }), 'energy.value'],
      ['a NaN register', variant(meter, { energy: { value: Number.NaN, unit: 'Wh' } }), 'energy.value'],
      [
        'an infinite register',
        variant(meter, { energy: { value: Number.POSITIVE_INFINITY, unit: 'Wh' } }),
        'energy.value',
      ],
      ['a register over 1e12', variant(meter, { energy: { value: 1e12 + 1, unit: 'Wh' } }), 'energy.value'],
      ['a string register', variant(meter, { energy: { value: '12', unit: 'Wh' } }), 'energy.value'],
      ['a bare number for energy', variant(meter, { energy: 12_345 }), 'energy'],
      ['negative power', variant(meter, { powerW: -1 }), 'powerW'],
      ['infinite power', variant(meter, { powerW: Number.POSITIVE_INFINITY }), 'powerW'],
      ['NaN power', variant(meter, { powerW: Number.NaN }), 'powerW'],
      ['power over 10 MW', variant(meter, { powerW: 10_000_001 }), 'powerW'],
      // Regression (found by the hostile-input property suite): DynamoDB refused to store 1e-277 W.
      ['power too small for DynamoDB to store', variant(meter, { powerW: 1.062695540211958e-277 }), 'powerW'],
      [
        'a register too small for DynamoDB to store',
        variant(meter, { energy: { value: 1e-131, unit: 'kWh' } }),
        'energy.value',
      ],
      ['an unknown context', variant(meter, { context: 'Sample.Random' }), 'context'],
      ['a requestId on a periodic reading', variant(meter, { requestId }), 'requestId'],
      [
        'a requestId on Transaction.End',
        variant(meter, { context: 'Transaction.End', requestId }),
        'requestId',
      ],
      ['a bad requestId on a trigger', variant(meter, { context: 'Trigger', requestId: 'r' }), 'requestId'],
    ],
  );

  const plug: Payload = { messageId, connectorId: 2, event: 'plugged', at };
  describeSchema(
    'plug',
    plugPayloadSchema,
    [
      ['plugged', plug],
      ['unplugged', variant(plug, { event: 'unplugged' })],
    ],
    [
      ['a missing event', variant(plug, { event: omit }), 'event'],
      ['a missing messageId', variant(plug, { messageId: omit }), 'messageId'],
      ['an OCPP status instead of an event', variant(plug, { event: 'Preparing' }), 'event'],
      ['a capitalised event', variant(plug, { event: 'Plugged' }), 'event'],
      ['connector 1000', variant(plug, { connectorId: 1000 }), 'connectorId'],
      ['an extra field', variant(plug, { sessionId }), 'sessionId'],
      ['a time in local zone', variant(plug, { at: '2026-11-25T06:30:00.000' }), 'at'],
    ],
  );
});

describe('cloud → device payloads', () => {
  const accepted: Payload = { requestId, status: 'Accepted', sessionId, at };
  const refused = authStatuses.filter((status) => status !== 'Accepted');
  describeSchema(
    'auth/response',
    authResponsePayloadSchema,
    [
      ['Accepted with a sessionId', accepted],
      ...refused.map(
        (status) =>
          [`${status} without a sessionId`, variant(accepted, { status, sessionId: omit })] as const,
      ),
      [
        'Unavailable with a reason',
        variant(accepted, { status: 'Unavailable', sessionId: omit, reason: 'connector-busy' }),
      ],
    ],
    [
      ['Accepted without a sessionId', variant(accepted, { sessionId: omit }), 'sessionId'],
      ...refused.map(
        (status) => [`${status} with a sessionId`, variant(accepted, { status }), 'sessionId'] as const,
      ),
      ['an unknown status', variant(accepted, { status: 'Rejected', sessionId: omit }), 'status'],
      ['an empty reason', variant(accepted, { status: 'Blocked', sessionId: omit, reason: '' }), 'reason'],
      [
        'a 201-character reason',
        variant(accepted, { status: 'Blocked', sessionId: omit, reason: 'r'.repeat(201) }),
        'reason',
      ],
      ['a bad sessionId', variant(accepted, { sessionId: 'session-1' }), 'sessionId'],
      ['a missing requestId', variant(accepted, { requestId: omit }), 'requestId'],
      ['an extra field', variant(accepted, { idTag: 'RFID-0001' }), 'idTag'],
    ],
  );

  const meterRequest: Payload = { requestId, connectorId: 1, at };
  describeSchema(
    'meter/request',
    meterRequestPayloadSchema,
    [['a request', meterRequest]],
    [
      ['a missing requestId', variant(meterRequest, { requestId: omit }), 'requestId'],
      ['a missing connectorId', variant(meterRequest, { connectorId: omit }), 'connectorId'],
      ['a missing at', variant(meterRequest, { at: omit }), 'at'],
      ['an extra sessionId', variant(meterRequest, { sessionId }), 'sessionId'],
    ],
  );
});

describe('rule events (payload + rule envelope)', () => {
  const envelope: Payload = { chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1_764_052_200_123 };

  describeSchema(
    'envelope',
    ruleEnvelopeSchema,
    [['an envelope', envelope]],
    [
      ['a missing chargerId', variant(envelope, { chargerId: omit }), 'chargerId'],
      ['a wildcard chargerId', variant(envelope, { chargerId: '+' }), 'chargerId'],
      ['a missing clientId', variant(envelope, { clientId: omit }), 'clientId'],
      ['an empty clientId', variant(envelope, { clientId: '' }), 'clientId'],
      ['a negative receivedAt', variant(envelope, { receivedAt: -1 }), 'receivedAt'],
      ['a fractional receivedAt', variant(envelope, { receivedAt: 1.5 }), 'receivedAt'],
      ['an ISO receivedAt', variant(envelope, { receivedAt: at }), 'receivedAt'],
    ],
  );

  const events: readonly [string, z.ZodMiniType, Payload][] = [
    ['auth request', authRequestEventSchema, { requestId, connectorId: 1, idTag: 'RFID-0001', at }],
    ['heartbeat', heartbeatEventSchema, { at, intervalS: 300 }],
    [
      'meter',
      meterEventSchema,
      { messageId, connectorId: 1, at, energy: { value: 1.5, unit: 'kWh' }, context: 'Sample.Periodic' },
    ],
    ['plug', plugEventSchema, { messageId, connectorId: 1, event: 'unplugged', at }],
  ];
  describe.each(events)('%s event', (_name, schema, payload) => {
    const event = { ...payload, ...envelope };
    it('accepts the payload with the envelope', () => {
      expect(schema.safeParse(event)).toMatchObject({ success: true, data: event });
    });
    it.each(['chargerId', 'clientId', 'receivedAt'])('rejects it without %s', (field) => {
      expect(rejectedField(schema, variant(event, { [field]: omit }))).toBe(field);
    });
    it('rejects the payload alone', () => {
      expect(schema.safeParse(payload).success).toBe(false);
    });
    it('rejects an extra field', () => {
      expect(rejectedField(schema, { ...event, voltage: 230 })).toBe('voltage');
    });
  });

  it('keeps the requestId-only-with-Trigger rule on the meter event', () => {
    const [, , meterPayload] = events[2]!;
    expect(rejectedField(meterEventSchema, { ...meterPayload, ...envelope, requestId })).toBe('requestId');
    expect(
      meterEventSchema.safeParse({ ...meterPayload, ...envelope, context: 'Trigger', requestId }).success,
    ).toBe(true);
  });

  it('builds the rule SQL that adds the envelope', () => {
    expect(RULE_ENVELOPE_SQL).toBe(
      'topic(2) AS chargerId, clientid() AS clientId, timestamp() AS receivedAt',
    );
    expect(ruleSql('chargers/+/heartbeat')).toBe(
      "SELECT *, topic(2) AS chargerId, clientid() AS clientId, timestamp() AS receivedAt FROM 'chargers/+/heartbeat'",
    );
  });
});

describe('IoT Core lifecycle events', () => {
  const connected: Payload = {
    clientId: 'CP-1',
    timestamp: 1_764_052_200_000,
    eventType: 'connected',
    sessionIdentifier: '00000000-0000-0000-0000-000000000000',
    principalIdentifier: '12345678901234567890123456789012',
    ipAddress: '192.0.2.10',
    versionNumber: 3,
  };
  const disconnected: Payload = {
    ...variant(connected, { ipAddress: omit }),
    eventType: 'disconnected',
    clientInitiatedDisconnect: false,
    disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT',
  };
  describeSchema(
    'presence event',
    presenceEventSchema,
    [
      ['a connected event', connected],
      ['a connected event without ipAddress', variant(connected, { ipAddress: omit })],
      ['a disconnected event', disconnected],
      ['version 0', variant(connected, { versionNumber: 0 })],
    ],
    [
      ['an unknown eventType', variant(connected, { eventType: 'subscribed' }), 'eventType'],
      [
        'a disconnect without its reason',
        variant(disconnected, { disconnectReason: omit }),
        'disconnectReason',
      ],
      [
        'a disconnect without clientInitiatedDisconnect',
        variant(disconnected, { clientInitiatedDisconnect: omit }),
        'clientInitiatedDisconnect',
      ],
      ['a negative versionNumber', variant(connected, { versionNumber: -1 }), 'versionNumber'],
      ['a missing versionNumber', variant(connected, { versionNumber: omit }), 'versionNumber'],
      ['an ISO timestamp', variant(connected, { timestamp: at }), 'timestamp'],
      ['an empty clientId', variant(connected, { clientId: '' }), 'clientId'],
    ],
  );

  it('tolerates fields AWS may add (these come from IoT Core, not from a device)', () => {
    const withNewField = { ...connected, mqttVersion: '5.0' };
    expect(presenceEventSchema.safeParse(withNewField).success).toBe(true);
    expect(connectedEventSchema.safeParse(withNewField).success).toBe(true);
    expect(disconnectedEventSchema.safeParse({ ...disconnected, mqttVersion: '5.0' }).success).toBe(true);
  });
});

describe('notification body', () => {
  const completed: Payload = {
    version: 1,
    kind: 'session.completed',
    at,
    audience: 'user',
    userId: 'user-1',
    chargerId: 'CP-1',
    connectorId: 1,
    sessionId,
    data: { energyWh: 12_345, durationS: 3_600, costMinor: 4_321, currency: 'KRW' },
    text: { ko: '충전이 끝났습니다.', en: 'Charging finished.' },
  };
  const offline: Payload = {
    version: 1,
    kind: 'charger.offline',
    at,
    audience: 'operator',
    chargerId: 'CP-1',
    data: {},
    text: { ko: '충전기 오프라인', en: 'Charger offline' },
  };
  describeSchema(
    'body',
    notificationBodySchema,
    [
      ['a user notification', completed],
      ['an operator notification', offline],
      ['charger.online', variant(offline, { kind: 'charger.online' })],
      [
        'session.rejected',
        variant(completed, { kind: 'session.rejected', data: { status: 'Blocked', reason: 'blocked' } }),
      ],
    ],
    [
      ['version 2', variant(completed, { version: 2 }), 'version'],
      ['an unknown kind', variant(completed, { kind: 'session.started' }), 'kind'],
      ['a user kind for operators', variant(completed, { audience: 'operator', userId: omit }), 'audience'],
      ['an operator kind for a user', variant(offline, { audience: 'user', userId: 'user-1' }), 'audience'],
      ['an unknown audience', variant(completed, { audience: 'admin' }), 'audience'],
      ['a user audience without userId', variant(completed, { userId: omit }), 'userId'],
      ['an operator audience with userId', variant(offline, { userId: 'user-1' }), 'userId'],
      ['an empty userId', variant(completed, { userId: '' }), 'userId'],
      ['a bad chargerId', variant(completed, { chargerId: 'CP/1' }), 'chargerId'],
      ['a missing data', variant(completed, { data: omit }), 'data'],
      ['a list as data', variant(completed, { data: [1, 2] }), 'data'],
      ['text without ko', variant(completed, { text: { en: 'Charging finished.' } }), 'text.ko'],
      ['empty en text', variant(completed, { text: { ko: '끝', en: '' } }), 'text.en'],
      ['an extra language', variant(completed, { text: { ko: '끝', en: 'Done', ja: '完了' } }), 'text.ja'],
      ['an extra field', variant(completed, { stack: 'Error: …' }), 'stack'],
      ['a time without ms', variant(completed, { at: '2026-11-25T06:30:00Z' }), 'at'],
    ],
  );

  it.each([
    ['session.authorized', 'user'],
    ['session.rejected', 'user'],
    ['meter.reading', 'user'],
    ['meter.unavailable', 'user'],
    ['session.completed', 'user'],
    ['charger.offline', 'operator'],
    ['charger.online', 'operator'],
  ] as const)('%s goes to the %s audience', (kind, audience) => {
    expect(audienceOfKind[kind]).toBe(audience);
  });

  it('knows exactly the contract kinds', () => {
    expect([...notificationKinds].sort()).toEqual(Object.keys(audienceOfKind).sort());
    // 10 + the operator kinds of contract v2 (charger.pending, transaction.orphan, command.result) and of the
    // telemetry findings (alert.opened, alert.cleared).
    expect(notificationKinds).toHaveLength(15);
  });

  it('derives SNS attributes with userId only for users', () => {
    expect(notificationAttributes(completed as NotificationBody)).toEqual({
      kind: 'session.completed',
      audience: 'user',
      userId: 'user-1',
      chargerId: 'CP-1',
    });
    const operatorAttributes = notificationAttributes(offline as NotificationBody);
    expect(operatorAttributes).toEqual({ kind: 'charger.offline', audience: 'operator', chargerId: 'CP-1' });
    expect('userId' in operatorAttributes).toBe(false);
  });
});

describe('user HTTP API', () => {
  const summary: Payload = {
    sessionId,
    chargerId: 'CP-1',
    connectorId: 1,
    status: 'Completed',
    startedAt: at,
    endedAt: '2026-11-25T07:30:00.000Z',
    energyWh: 12_345,
    costMinor: 4_321,
    currency: 'KRW',
  };
  describeSchema(
    'GET /me/sessions row',
    sessionSummarySchema,
    [
      ['a completed session', summary],
      ['a charging session without endedAt', variant(summary, { status: 'Charging', endedAt: omit })],
      ...sessionStatuses.map((status) => [`status ${status}`, variant(summary, { status })] as const),
      ['zero energy and cost', variant(summary, { energyWh: 0, costMinor: 0 })],
    ],
    [
      ['an unknown status', variant(summary, { status: 'Active' }), 'status'],
      ['fractional energy', variant(summary, { energyWh: 1.5 }), 'energyWh'],
      ['negative cost', variant(summary, { costMinor: -1 }), 'costMinor'],
      ['fractional cost', variant(summary, { costMinor: 0.5 }), 'costMinor'],
      ['a lowercase currency', variant(summary, { currency: 'krw' }), 'currency'],
      ['a 4-letter currency', variant(summary, { currency: 'KRWX' }), 'currency'],
      ['a missing currency', variant(summary, { currency: omit }), 'currency'],
      ['an internal field', variant(summary, { userId: 'user-1' }), 'userId'],
    ],
  );

  describeSchema(
    'GET /sessions/{sessionId}',
    sessionStatusViewSchema,
    [
      ['a summary', summary],
      [
        'power and the last reading time',
        variant(summary, { powerW: 7_400, lastReadingAt: '2026-11-25T07:29:00.000Z' }),
      ],
    ],
    [
      ['negative power', variant(summary, { powerW: -5 }), 'powerW'],
      ['a bad lastReadingAt', variant(summary, { lastReadingAt: 'now' }), 'lastReadingAt'],
      ['an internal field', variant(summary, { pricePerKwhMinor: 350 }), 'pricePerKwhMinor'],
    ],
  );

  it('lists sessions as an array of rows', () => {
    expect(mySessionsResponseSchema.safeParse([]).success).toBe(true);
    expect(mySessionsResponseSchema.safeParse([summary, summary]).success).toBe(true);
    expect(rejectedField(mySessionsResponseSchema, [summary, { ...summary, status: 'x' }])).toBe('1.status');
  });

  describeSchema(
    'POST /sessions/{sessionId}/meter-requests → 202',
    meterRequestAcceptedSchema,
    [['a requestId', { requestId }]],
    [
      ['a bad requestId', { requestId: 'r1' }, 'requestId'],
      ['an extra field', { requestId, chargerId: 'CP-1' }, 'chargerId'],
    ],
  );

  describeSchema(
    'path parameters',
    sessionIdPathSchema,
    [['a sessionId', { sessionId }]],
    [['a non-uuid sessionId', { sessionId: '../admin' }, 'sessionId']],
  );

  describeSchema(
    'error body',
    httpErrorBodySchema,
    [['a message', { message: 'not found' }]],
    [
      ['a stack trace', { message: 'internal error', stack: 'Error: at …' }, 'stack'],
      ['an internal id', { message: 'conflict', sessionId }, 'sessionId'],
    ],
  );
});
