import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { createValidator } from 'ocpp-rpc';
import { fromOcppResult, toOcppCall } from '../../src/ocpp-calls.js';
import {
  authorizeIdTag,
  authRequest,
  boot,
  connectorStatus,
  diagnosticsStatus,
  firmwareStatus,
  heartbeat,
  meterValues,
  plug,
  remoteResponse,
  transactionStart,
  transactionStop,
} from '../../src/payloads.js';

// ocpp-rpc's own OCPP 1.6 schemas, the ones strict mode checks every outgoing CALL against.
const ocpp16 = createValidator(
  'ocpp1.6',
  createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp1_6.json') as Record<string, unknown>[],
);
const at = new Date('2026-05-01T10:00:00.000Z');

describe('toOcppCall', () => {
  it.each([
    ['boot', boot({ serial: 'SIM-001', firmware: 'sim/1', at }).message, 'BootNotification'],
    ['heartbeat', heartbeat({ at, firmware: 'sim/1' }), 'Heartbeat'],
    ['authorize', authorizeIdTag({ idTag: 'TAG1', at }).message, 'Authorize'],
    [
      'status',
      connectorStatus({ connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', at }),
      'StatusNotification',
    ],
    [
      'transaction/start',
      transactionStart({ connectorId: 2, idTag: 'TAG1', meterStartWh: 1234.9, at }).message,
      'StartTransaction',
    ],
    [
      'transaction/stop',
      transactionStop({ transactionId: 7, meterStopWh: 5000, reason: 'Local', idTag: 'TAG1', at }).message,
      'StopTransaction',
    ],
    [
      'meter',
      meterValues({
        connectorId: 1,
        transactionId: 7,
        sessionId: '0b7e4a6e-5d3c-4f1a-9a55-3f1f6c2f9b10',
        at,
        registerWh: 4321,
        unit: 'kWh',
        powerW: 11_000,
        context: 'Sample.Periodic',
      }),
      'MeterValues',
    ],
    ['firmware-status', firmwareStatus({ status: 'Idle', at }), 'FirmwareStatusNotification'],
    ['diagnostics-status', diagnosticsStatus({ status: 'Idle', at }), 'DiagnosticsStatusNotification'],
  ])('turns %s into a %s the 1.6 schema accepts', (_kind, message, action) => {
    const call = toOcppCall(message);
    expect(call?.action).toBe(action);
    expect(() => ocpp16.validate(`urn:${action}.req`, call?.params)).not.toThrow();
    // Contract-only ids never reach the charge point's frames.
    expect(Object.keys(call?.params ?? {})).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(requestId|messageId|sessionId|at)$/)]),
    );
  });

  it('keeps what the cloud needs: device time as timestamp, meterStart in Wh, the stop reason', () => {
    expect(
      toOcppCall(transactionStart({ connectorId: 2, idTag: 'TAG1', meterStartWh: 1234.9, at }).message),
    ).toEqual({
      action: 'StartTransaction',
      params: { connectorId: 2, idTag: 'TAG1', meterStart: 1234, timestamp: at.toISOString() },
    });
    expect(
      toOcppCall(
        transactionStop({ transactionId: 7, meterStopWh: 5000, reason: 'EVDisconnected', at }).message,
      ),
    ).toEqual({
      action: 'StopTransaction',
      params: { transactionId: 7, meterStop: 5000, reason: 'EVDisconnected', timestamp: at.toISOString() },
    });
  });

  it('sends energy in the unit the meter shows and power in W, as OCPP sampled values', () => {
    const call = toOcppCall(
      meterValues({ connectorId: 1, at, registerWh: 4321, unit: 'kWh', powerW: 7_400, context: 'Trigger' }),
    );
    const [reading] = (call?.params.meterValue ?? []) as { sampledValue: Record<string, string>[] }[];
    const sampled = reading?.sampledValue;
    expect(sampled).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ measurand: 'Energy.Active.Import.Register', value: '4.321', unit: 'kWh' }),
        expect.objectContaining({ measurand: 'Power.Active.Import', value: '7400', unit: 'W' }),
      ]),
    );
  });

  it('has no CALL for what only the MQTT contract has', () => {
    expect(toOcppCall(authRequest({ connectorId: 1, idTag: 'TAG1', at }).message)).toBeUndefined();
    expect(toOcppCall(plug({ connectorId: 1, event: 'plugged', at }))).toBeUndefined();
    expect(
      toOcppCall(remoteResponse({ requestId: crypto.randomUUID(), status: 'Accepted', at })),
    ).toBeUndefined();
  });
});

describe('fromOcppResult', () => {
  it('reads a BootNotification.conf as a boot answer with no meter interval (the gateway sets it later)', () => {
    expect(
      fromOcppResult('BootNotification', { status: 'Pending', currentTime: at.toISOString(), interval: 60 }),
    ).toEqual({
      status: 'Pending',
      currentTime: at.toISOString(),
      interval: 60,
      meterValueSampleInterval: 0,
    });
  });

  it('passes other results through', () => {
    const conf = { transactionId: 9, idTagInfo: { status: 'Accepted' } };
    expect(fromOcppResult('StartTransaction', conf)).toEqual(conf);
  });
});
