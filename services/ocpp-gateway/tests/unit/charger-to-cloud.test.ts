import {
  bootPayloadSchema,
  deviceTopicSchemas,
  statusPayloadSchema,
  transactionStartPayloadSchema,
  transactionStopPayloadSchema,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import * as up from '../../src/mapping/charger-to-cloud.js';
import * as ocpp from '../helpers/factories.js';

const now = new Date('2026-11-25T06:30:00.123Z');

describe('OCPP 1.6 CALLs → v2 contract payloads', () => {
  it('BootNotification → boot, every field as given, at the receive time', () => {
    const boot = up.bootFrom('CP-1', ocpp.bootNotification({ iccid: '8944' }), now);
    expect(bootPayloadSchema.parse(boot)).toEqual({
      requestId: expect.any(String),
      chargePointVendor: 'VendorX',
      chargePointModel: 'SingleSocketCharger',
      chargePointSerialNumber: 'SN-0001',
      firmwareVersion: '1.0.0',
      iccid: '8944',
      at: '2026-11-25T06:30:00.123Z',
    });
  });

  it('StartTransaction keeps the device time (an offline replay keeps its own), normalized to ms UTC', () => {
    const start = up.transactionStartFrom(
      'CP-1',
      ocpp.startTransaction({ timestamp: '2026-11-20T10:00:00+02:00', reservationId: 7 }),
    );
    expect(transactionStartPayloadSchema.parse(start)).toMatchObject({
      connectorId: 1,
      idTag: 'TAG-1',
      meterStart: 1000,
      reservationId: 7,
      at: '2026-11-20T08:00:00.000Z',
    });
  });

  it('a retransmission gets the same requestId; other content or another charger a different one', () => {
    const req = ocpp.startTransaction({ timestamp: '2026-11-25T06:00:00Z' });
    const id = up.transactionStartFrom('CP-1', req).requestId;
    expect(up.transactionStartFrom('CP-1', { ...req }).requestId).toBe(id);
    expect(up.transactionStartFrom('CP-1', { ...req, meterStart: 1001 }).requestId).not.toBe(id);
    expect(up.transactionStartFrom('CP-2', req).requestId).not.toBe(id);
  });

  it('StopTransaction → transaction/stop without its transactionData', () => {
    const stop = up.transactionStopFrom(
      'CP-1',
      ocpp.stopTransaction(42, { timestamp: '2026-11-25T07:00:00Z', transactionData: [], idTag: 'TAG-1' }),
    );
    expect(transactionStopPayloadSchema.parse(stop)).toEqual({
      requestId: expect.any(String),
      transactionId: 42,
      meterStop: 5000,
      reason: 'Local',
      idTag: 'TAG-1',
      at: '2026-11-25T07:00:00.000Z',
    });
  });

  it('StatusNotification without a timestamp takes the receive time', () => {
    const { timestamp: _, ...noTime } = ocpp.statusNotification({
      status: 'Faulted',
      errorCode: 'GroundFailure',
    });
    const status = up.statusFrom('CP-1', noTime, now);
    expect(statusPayloadSchema.parse(status)).toMatchObject({ status: 'Faulted', at: now.toISOString() });
  });

  it('MeterValues → one meter message, every sampled value as given, linked to its transaction', () => {
    const [meter, ...more] = up.meterValuesFrom(
      'CP-1',
      ocpp.meterValues(1234, { transactionId: 9 }),
      undefined,
    );
    expect(more).toEqual([]);
    expect(deviceTopicSchemas.meter.safeParse(meter).success).toBe(true);
    expect(meter).toMatchObject({
      connectorId: 1,
      transactionId: 9,
      meterValue: [
        {
          sampledValue: [
            { value: '1234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
            { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' },
          ],
        },
      ],
    });
    expect(meter).not.toHaveProperty('requestId');
  });

  it('echoes a meter/request requestId only on a reading whose values are all Trigger values', () => {
    const requestId = '5e1fb3a4-8c7d-4f2e-9b1a-0c3d2e4f5a6b';
    const periodic = ocpp.meterValues(1);
    expect(up.meterValuesFrom('CP-1', periodic, requestId)[0]).not.toHaveProperty('requestId');
    const triggered = ocpp.meterValues(1);
    for (const sampled of triggered.meterValue[0]?.sampledValue ?? [])
      Object.assign(sampled, { context: 'Trigger' });
    expect(up.meterValuesFrom('CP-1', triggered, requestId)[0]).toMatchObject({ requestId });
  });

  it('splits readings that would pass 8 KB into several messages, never splitting one MeterValue', () => {
    const meterValue = Array.from({ length: 60 }, (_, index) => ({
      timestamp: new Date(Date.UTC(2026, 10, 25, 6, index)).toISOString(),
      sampledValue: ['L1', 'L2', 'L3'].map((phase) => ({
        value: `${index}.5`,
        measurand: 'Voltage',
        phase,
        unit: 'V',
      })),
    }));
    const meters = up.meterMessagesFrom('CP-1', meterValue, { connectorId: 1, transactionId: 3 });
    expect(meters.length).toBeGreaterThan(1);
    expect(meters.flatMap((meter) => meter.meterValue)).toHaveLength(60);
    for (const meter of meters) {
      expect(Buffer.byteLength(JSON.stringify(meter))).toBeLessThanOrEqual(up.METER_MESSAGE_BUDGET_BYTES);
      expect(deviceTopicSchemas.meter.safeParse(meter).success).toBe(true);
    }
    expect(new Set(meters.map((meter) => meter.messageId)).size).toBe(meters.length);
  });
});
