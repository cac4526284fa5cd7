import { describe, expect, it } from '@jest/globals';
import type * as z from 'zod/mini';
import {
  BadInputError,
  chargePointErrorCodes,
  chargePointStatuses,
  cloudTopicSchemas,
  commandActions,
  deviceTopicSchemas,
  isDeviceTimeBelievable,
  MAX_DEVICE_CLOCK_AHEAD_MS,
  parseOrThrow,
  stopReasons,
} from '../../src/index.js';

// Accept/reject cases for every v2 topic (docs/contract.md): a valid OCPP-shaped sample of each, and the
// field named by each rejection, as the services' dead letters will name it.

const requestId = '8f14e45f-ceea-467a-9e2b-6e2c1f2a1b3c';
const messageId = '0b7e7e84-4b5c-4f5e-9d8b-2d3c4b5a6f70';
const sessionId = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
const at = '2026-11-25T06:30:00.000Z';
const idTagInfo = { status: 'Accepted', expiryDate: '2027-01-01T00:00:00.000Z', parentIdTag: 'FLEET-1' };

const samples = {
  boot: {
    requestId,
    chargePointVendor: 'Alfen BV',
    chargePointModel: 'NG920-5250',
    chargePointSerialNumber: 'ACE0123456',
    firmwareVersion: '6.1.0-4082',
    iccid: '8944501234567890123',
    imsi: '234150123456789',
    at,
  },
  authorize: { requestId, idTag: 'RFID-0001', at },
  status: {
    messageId,
    connectorId: 0,
    status: 'Faulted',
    errorCode: 'GroundFailure',
    vendorErrorCode: 'E42',
    at,
  },
  transactionStart: { requestId, connectorId: 1, idTag: 'RFID-0001', meterStart: 1_234_567, at },
  transactionStop: { requestId, transactionId: 42, meterStop: 1_245_000, reason: 'EVDisconnected', at },
  firmwareStatus: { messageId, status: 'Installed', at },
  diagnosticsStatus: { messageId, status: 'Uploaded', at },
  commandResponse: { requestId, status: 'Accepted', payload: { configurationKey: [] }, at },
  remoteResponse: { requestId, status: 'Rejected', at },
  bootResponse: {
    requestId,
    status: 'Pending',
    currentTime: at,
    interval: 300,
    meterValueSampleInterval: 900,
    at,
  },
  authorizeResponse: { requestId, idTagInfo, at },
  transactionStartResponse: { requestId, transactionId: 2_147_483_647, sessionId, idTagInfo, at },
  transactionStopResponse: { requestId, at },
  remoteStart: { requestId, connectorId: 2, idTag: 'RFID-0001', expiresAt: at, at },
  remoteStop: { requestId, transactionId: 7, sessionId, expiresAt: at, at },
  command: {
    requestId,
    action: 'ChangeAvailability',
    payload: { connectorId: 0, type: 'Inoperative' },
    expiresAt: at,
    at,
  },
} as const;

const schemas: Record<keyof typeof samples, z.ZodMiniType> = {
  ...deviceTopicSchemas,
  ...cloudTopicSchemas,
} as never;

/** The field a rejection names, exactly as a dead letter carries it. */
function rejectedField(schema: z.ZodMiniType, input: unknown): string {
  try {
    parseOrThrow(schema, input);
  } catch (error) {
    if (error instanceof BadInputError) return error.field;
    throw error;
  }
  throw new Error('accepted');
}

describe('v2 topic samples', () => {
  it.each(Object.keys(samples) as (keyof typeof samples)[])('accepts a valid %s', (kind) => {
    expect(schemas[kind].parse(samples[kind])).toEqual(samples[kind]);
  });

  it('has a sample for every v2 topic schema', () => {
    const v1 = ['authRequest', 'heartbeat', 'meter', 'plug', 'authResponse', 'meterRequest'];
    const v2 = Object.keys(schemas).filter((kind) => !v1.includes(kind));
    expect(Object.keys(samples).sort()).toEqual(
      [...Object.keys(deviceTopicSchemas), ...Object.keys(cloudTopicSchemas)]
        .filter((kind) => !v1.includes(kind))
        .sort(),
    );
    expect(v2.length).toBe(16);
  });
});

describe('v2 rejections name their field', () => {
  const cases: readonly [string, keyof typeof samples, Record<string, unknown>, string][] = [
    ['a vendor over CiString20', 'boot', { chargePointVendor: 'v'.repeat(21) }, 'chargePointVendor'],
    ['a boot without model', 'boot', { chargePointModel: undefined }, 'chargePointModel'],
    ['a charger id in the payload', 'boot', { chargerId: 'CP-1' }, 'chargerId'],
    ['authorize with a connector (OCPP Authorize has none)', 'authorize', { connectorId: 1 }, 'connectorId'],
    ['a tenth status', 'status', { status: 'Occupied' }, 'status'],
    ['an unknown error code', 'status', { errorCode: 'Overheat' }, 'errorCode'],
    ['a negative connector', 'status', { connectorId: -1 }, 'connectorId'],
    ['info over CiString50', 'status', { info: 'i'.repeat(51) }, 'info'],
    ['a start on connector 0', 'transactionStart', { connectorId: 0 }, 'connectorId'],
    ['a fractional meterStart (OCPP integer Wh)', 'transactionStart', { meterStart: 12.5 }, 'meterStart'],
    ['a negative meterStart', 'transactionStart', { meterStart: -1 }, 'meterStart'],
    ['transactionId 0', 'transactionStop', { transactionId: 0 }, 'transactionId'],
    ['transactionId past 32 bits', 'transactionStop', { transactionId: 2_147_483_648 }, 'transactionId'],
    ['an unknown stop reason', 'transactionStop', { reason: 'Tired' }, 'reason'],
    ['an unknown firmware status', 'firmwareStatus', { status: 'Flashing' }, 'status'],
    ['a start answer without idTagInfo', 'transactionStartResponse', { idTagInfo: undefined }, 'idTagInfo'],
    [
      'an idTagInfo with Unavailable',
      'authorizeResponse',
      { idTagInfo: { status: 'Unavailable' } },
      'idTagInfo.status',
    ],
    ['a remote start without expiry', 'remoteStart', { expiresAt: undefined }, 'expiresAt'],
    ['an unknown action', 'command', { action: 'Explode' }, 'action'],
    ['a Reset without its type', 'command', { action: 'Reset', payload: {} }, 'payload.type'],
    [
      'an action payload with a stray field',
      'command',
      { action: 'ClearCache', payload: { force: true } },
      'payload.force',
    ],
    [
      'an availability type OCPP does not know',
      'command',
      { action: 'ChangeAvailability', payload: { connectorId: 1, type: 'Off' } },
      'payload.type',
    ],
  ];
  it.each(cases)('rejects %s', (_description, kind, changes, field) => {
    const input: Record<string, unknown> = { ...samples[kind], ...changes };
    for (const [name, value] of Object.entries(changes)) if (value === undefined) delete input[name];
    expect(rejectedField(schemas[kind], input)).toBe(field);
  });
});

describe('OCPP 1.6 vocabulary', () => {
  it('carries every value the specification lists', () => {
    expect(chargePointStatuses).toHaveLength(9);
    expect(chargePointErrorCodes).toHaveLength(16);
    expect(stopReasons).toHaveLength(11);
    expect(commandActions.sort()).toEqual(
      [
        'ChangeAvailability',
        'ChangeConfiguration',
        'ClearCache',
        'GetConfiguration',
        'Reset',
        'TriggerMessage',
        'UnlockConnector',
      ].sort(),
    );
  });
});

describe('isDeviceTimeBelievable', () => {
  const receivedAtMs = Date.parse(at);
  it.each([
    ['the receive time itself', 0, true],
    ['an hour in the past (an offline replay)', -3_600_000, true],
    ['exactly 5 minutes ahead', MAX_DEVICE_CLOCK_AHEAD_MS, true],
    ['5 minutes and 1 ms ahead', MAX_DEVICE_CLOCK_AHEAD_MS + 1, false],
  ])('%s: %s', (_description, aheadMs, believable) => {
    expect(isDeviceTimeBelievable(new Date(receivedAtMs + aheadMs).toISOString(), receivedAtMs)).toBe(
      believable,
    );
  });
});
