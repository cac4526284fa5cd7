import { describe, expect, it } from '@jest/globals';
import {
  applyReading,
  applyStoppedReading,
  meterReadingOf,
  type RegisterReading,
  type RegisterState,
  readingsOf,
  unbelievableTimestampOf,
} from '../../src/rules.js';
import { meterEvent, meterValuesEvent, sampledValue } from '../helpers/factories.js';

// The pure half of v2 (OCPP MeterValues) readings: one reading per timestamp, what drives a session, and
// the rules for an OCPP transaction's fixed start and a stopped transaction's fixed totals.

const at = (minute: number) => `2026-11-25T06:${String(minute).padStart(2, '0')}:00.000Z`;
const requestId = '5e1fb3a4-8c7d-4f2e-9b1a-0c3d2e4f5a6b';

describe('readingsOf', () => {
  it('makes each timestamp a reading, oldest first, register in integer Wh and power in W', () => {
    const event = meterValuesEvent({
      transactionId: 42,
      meterValue: [
        {
          timestamp: at(15),
          sampledValue: [
            sampledValue({ value: '12.3455', unit: 'kWh' }),
            sampledValue({ value: '7.25', measurand: 'Power.Active.Import', unit: 'kW' }),
          ],
        },
        {
          timestamp: at(0),
          sampledValue: [sampledValue({ value: '10000.4', context: 'Transaction.Begin' })],
        },
      ],
    });
    expect(readingsOf(event)).toMatchObject([
      { at: at(0), registerWh: 10_000, context: 'Transaction.Begin', transactionId: 42 },
      { at: at(15), registerWh: 12_346, powerW: 7250, context: 'Sample.Periodic', transactionId: 42 },
    ]);
    expect(readingsOf(event)[0]?.powerW).toBeUndefined();
  });

  it('takes a reading’s context from its register, else from its first value', () => {
    const event = meterValuesEvent({
      meterValue: [
        {
          timestamp: at(1),
          sampledValue: [
            sampledValue({ value: '61', measurand: 'SoC', unit: 'Percent', context: 'Other' }),
            sampledValue({ value: '100', context: 'Transaction.End' }),
          ],
        },
        {
          timestamp: at(2),
          sampledValue: [sampledValue({ value: '230', measurand: 'Voltage', context: 'Interruption.End' })],
        },
      ],
    });
    expect(readingsOf(event).map((reading) => [reading.context, reading.registerWh])).toEqual([
      ['Transaction.End', 100],
      ['Interruption.End', undefined],
    ]);
  });

  it('gives the requestId to the newest reading only, the one that answers', () => {
    const trigger = (timestamp: string) => ({
      timestamp,
      sampledValue: [sampledValue({ value: '1', context: 'Trigger' })],
    });
    const readings = readingsOf(
      meterValuesEvent({ requestId, meterValue: [trigger(at(5)), trigger(at(4))] }),
    );
    expect(readings.map((reading) => reading.requestId)).toEqual([undefined, requestId]);
  });

  it('reads a v1 message as its one reading, as before', () => {
    const event = meterEvent({ energy: { value: 1.0005, unit: 'kWh' }, powerW: 7000 });
    const [reading] = readingsOf(event);
    expect(reading).toMatchObject({ registerWh: 1001, powerW: 7000, at: event.at });
    expect(meterReadingOf(reading!)).toEqual(meterReadingOf(event));
  });
});

describe('meterReadingOf (v2)', () => {
  it('keeps every sampled value and the transactionId with the stored reading', () => {
    const values = [sampledValue({ value: '100' }), sampledValue({ value: '49.9', measurand: 'Frequency' })];
    const event = meterValuesEvent({
      transactionId: 7,
      meterValue: [{ timestamp: at(3), sampledValue: values }],
    });
    expect(meterReadingOf(readingsOf(event)[0]!)).toEqual({
      chargerId: event.chargerId,
      connectorId: 1,
      messageId: event.messageId,
      at: at(3),
      receivedAt: new Date(event.receivedAt).toISOString(),
      registerWh: 100,
      context: 'Sample.Periodic',
      transactionId: 7,
      sampledValues: values,
    });
  });
});

describe('unbelievableTimestampOf', () => {
  it('finds the first timestamp over 5 minutes ahead of the receive time', () => {
    const value = (timestamp: string) => ({ timestamp, sampledValue: [sampledValue({ value: '1' })] });
    const event = meterValuesEvent({ meterValue: [value(at(0)), value(at(7)), value(at(9))] });
    expect(unbelievableTimestampOf({ ...event, receivedAt: Date.parse(at(1)) })).toBe(1);
    // Exactly 5 minutes ahead is still believable.
    expect(unbelievableTimestampOf({ ...event, receivedAt: Date.parse(at(4)) })).toBeUndefined();
  });
});

const reading = (minute: number, registerWh: number, powerW?: number): RegisterReading => ({
  at: at(minute),
  registerWh,
  powerW,
});

describe('applyReading with an OCPP transaction’s fixed start', () => {
  const state: RegisterState = {
    energyStartWh: 10_000,
    energyStartAt: at(0),
    latestRegisterWh: 11_000,
    lastReadingAt: at(10),
  };

  it('never moves the start, where a v1 session would lower it', () => {
    expect(applyReading(state, reading(0, 9000)).changed).toBe(true);
    expect(applyReading(state, reading(0, 9000), { fixedStart: true })).toMatchObject({
      changed: false,
      anomaly: 'out-of-order',
    });
  });

  it('moves the latest values as any reading does', () => {
    expect(applyReading(state, reading(15, 11_500, 7000), { fixedStart: true })).toEqual({
      changed: true,
      next: { ...state, latestRegisterWh: 11_500, lastReadingAt: at(15), powerW: 7000 },
    });
  });
});

describe('applyStoppedReading (a transaction the stop completed)', () => {
  // After the stop: start 10 000 Wh, stop 12 500 Wh, last reading at 06:15 (arrived before the stop).
  const stopped: RegisterState = {
    energyStartWh: 10_000,
    energyStartAt: at(0),
    latestRegisterWh: 12_500,
    lastReadingAt: at(15),
    powerW: 7000,
  };

  it('moves only the last reading time and power, for a newer reading within the transaction', () => {
    expect(applyStoppedReading(stopped, reading(30, 12_500, 0))).toEqual({
      changed: true,
      next: { ...stopped, lastReadingAt: at(30), powerW: 0 },
    });
  });

  it('changes nothing for an older reading, one outside the transaction’s registers, or a 0 placeholder', () => {
    expect(applyStoppedReading(stopped, reading(5, 10_500))).toMatchObject({
      changed: false,
      anomaly: 'transaction-stopped',
    });
    expect(applyStoppedReading(stopped, reading(30, 12_501))).toMatchObject({
      anomaly: 'register-regression',
    });
    expect(applyStoppedReading(stopped, reading(30, 9_999))).toMatchObject({
      anomaly: 'register-regression',
    });
    expect(applyStoppedReading(stopped, reading(30, 0))).toMatchObject({
      anomaly: 'zero-register-placeholder',
    });
  });

  it('ends in the same state in every arrival order, duplicates included', () => {
    const late = [reading(0, 10_000, 6900), reading(15, 11_000, 7000), reading(30, 12_500, 0)];
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0, 2],
      [2, 2, 0, 1, 0],
    ];
    const afterStop: RegisterState = {
      energyStartWh: 10_000,
      energyStartAt: at(0),
      latestRegisterWh: 12_500,
    };
    const finals = orders.map((order) =>
      order.reduce((state, index) => applyStoppedReading(state, late[index]!).next, afterStop),
    );
    for (const final of finals) expect(final).toEqual({ ...afterStop, lastReadingAt: at(30), powerW: 0 });
  });
});
