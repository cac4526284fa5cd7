import { describe, expect, it } from '@jest/globals';
import * as down from '../../src/mapping/cloud-to-charger.js';

const requestId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const at = '2026-11-25T06:30:00.000Z';
const now = new Date(at);

describe('v2 contract → OCPP 1.6', () => {
  it('boot/response → BootNotification.conf, and an Accepted boot sets both intervals', () => {
    const response = {
      requestId,
      status: 'Accepted' as const,
      currentTime: at,
      interval: 300,
      meterValueSampleInterval: 900,
      at,
    };
    expect(down.bootConfFrom(response)).toEqual({ status: 'Accepted', currentTime: at, interval: 300 });
    expect(down.bootConfigurationFrom(response)).toEqual([
      { action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '300' } },
      { action: 'ChangeConfiguration', payload: { key: 'MeterValueSampleInterval', value: '900' } },
    ]);
    expect(down.bootConfigurationFrom({ ...response, status: 'Pending' })).toEqual([]);
  });

  it('answers carry idTagInfo as OCPP has it', () => {
    const idTagInfo = { status: 'Accepted' as const, expiryDate: '2027-01-01T00:00:00.000Z' };
    expect(down.authorizeConfFrom({ requestId, idTagInfo, at })).toEqual({ idTagInfo });
    expect(down.startTransactionConfFrom({ requestId, transactionId: 42, idTagInfo, at })).toEqual({
      transactionId: 42,
      idTagInfo,
    });
    expect(down.stopTransactionConfFrom({ requestId, at })).toEqual({});
  });

  it('cloud requests → the OCPP calls; expiry is judged against now', () => {
    expect(down.triggerCallFrom({ requestId, connectorId: 2, at })).toEqual({
      action: 'TriggerMessage',
      payload: { requestedMessage: 'MeterValues', connectorId: 2 },
    });
    const start = { requestId, connectorId: 1, idTag: 'TAG', expiresAt: '2026-11-25T06:31:00.000Z', at };
    expect(down.remoteStartCallFrom(start)).toEqual({
      action: 'RemoteStartTransaction',
      payload: { connectorId: 1, idTag: 'TAG' },
    });
    expect(down.hasExpired(start, now)).toBe(false);
    expect(down.hasExpired(start, new Date('2026-11-25T06:31:00.000Z'))).toBe(true);
    expect(
      down.remoteStopCallFrom({ requestId, transactionId: 5, sessionId: requestId, expiresAt: at, at }),
    ).toEqual({
      action: 'RemoteStopTransaction',
      payload: { transactionId: 5 },
    });
  });

  it('a .conf → command/response: its status, and the rest as payload', () => {
    expect(down.commandResponseFrom(requestId, { status: 'Rejected' }, now)).toEqual({
      requestId,
      status: 'Rejected',
      at,
    });
    expect(down.commandResponseFrom(requestId, { configurationKey: [], unknownKey: ['X'] }, now)).toEqual({
      requestId,
      status: 'Accepted',
      payload: { configurationKey: [], unknownKey: ['X'] },
      at,
    });
    expect(down.commandResponseForCallError(requestId, 'NotSupported', now)).toMatchObject({
      status: 'NotSupported',
    });
    expect(down.commandResponseForCallError(requestId, 'InternalError', now)).toBeUndefined();
  });
});
