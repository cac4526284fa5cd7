import { describe, expect, it } from '@jest/globals';
import type * as z from 'zod/mini';
import {
  BadInputError,
  deviceTopicSchemas,
  measurandLocations,
  measurands,
  meterTopicEventSchema,
  meterValuesPayloadSchema,
  parseOrThrow,
  phases,
  powerSampleOf,
  readingContexts,
  registerSampleOf,
  unitsOfMeasure,
  valueFormats,
} from '../../src/index.js';

// The v2 shape of `chargers/{chargerId}/meter` (OCPP 1.6 MeterValues.req): OCPP's defaults, every enum value,
// the field each rejection names, and the v1 shape still accepted unchanged on the same topic.

const messageId = '0b7e7e84-4b5c-4f5e-9d8b-2d3c4b5a6f70';
const requestId = '5e1fb3a4-8c7d-4f2e-9b1a-0c3d2e4f5a6b';
const sessionId = 'c9bf9e57-1685-4c89-bafb-ff5af830be8a';
const timestamp = '2026-11-25T06:45:00.000Z';

const ocppMessage = {
  messageId,
  connectorId: 1,
  transactionId: 42,
  meterValue: [
    {
      timestamp,
      sampledValue: [
        {
          value: '12345.6',
          context: 'Sample.Periodic',
          measurand: 'Energy.Active.Import.Register',
          unit: 'Wh',
        },
        { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' },
        { value: '230.2', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
        { value: '-1.5', measurand: 'Temperature', unit: 'Celcius', location: 'Body' },
      ],
    },
  ],
};

const v1Reading = {
  messageId,
  connectorId: 1,
  at: timestamp,
  energy: { value: 12.345, unit: 'kWh' },
  powerW: 7400,
  context: 'Sample.Periodic',
};

const topicSchema = deviceTopicSchemas.meter;

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

/** The OCPP sample with its first sampled value replaced by `sampled`. */
const withSampled = (sampled: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...ocppMessage,
  ...extra,
  meterValue: [{ timestamp, sampledValue: [sampled] }],
});

describe('the meter topic, v2 shape', () => {
  it('accepts an OCPP MeterValues message and fills in OCPP’s defaults', () => {
    const parsed = parseOrThrow(topicSchema, withSampled({ value: '100' }));
    expect(parsed).toEqual({
      ...ocppMessage,
      meterValue: [
        {
          timestamp,
          sampledValue: [
            {
              value: '100',
              context: 'Sample.Periodic',
              format: 'Raw',
              measurand: 'Energy.Active.Import.Register',
              location: 'Outlet',
              unit: 'Wh',
            },
          ],
        },
      ],
    });
  });

  it('gives Wh as the default unit of Energy measurands only, as OCPP does', () => {
    const unitOf = (measurand: string) =>
      parseOrThrow(meterValuesPayloadSchema, withSampled({ value: '1', measurand })).meterValue[0]
        ?.sampledValue[0]?.unit;
    expect(unitOf('Energy.Reactive.Import.Interval')).toBe('Wh');
    expect(unitOf('Voltage')).toBeUndefined();
    expect(unitOf('Power.Active.Import')).toBeUndefined();
  });

  it('keeps every value it does not interpret, as sent', () => {
    const parsed = parseOrThrow(meterValuesPayloadSchema, ocppMessage);
    expect(parsed.meterValue[0]?.sampledValue[2]).toMatchObject({ value: '230.2', phase: 'L1-N', unit: 'V' });
    expect(parsed.meterValue[0]?.sampledValue[3]).toMatchObject({ value: '-1.5', location: 'Body' });
  });

  it.each([
    ['context', readingContexts],
    ['format', valueFormats],
    ['measurand', measurands],
    ['phase', phases],
    ['location', measurandLocations],
    ['unit', unitsOfMeasure],
  ] as const)('accepts every OCPP 1.6 %s value', (field, values) => {
    for (const value of values) {
      const sampled = {
        value: field === 'format' && value === 'SignedData' ? 'MIIB…' : '1',
        // A value that is not the register nor power, so any unit is its own business.
        measurand: field === 'measurand' ? value : 'Frequency',
        [field]: value,
      };
      expect(() => parseOrThrow(meterValuesPayloadSchema, withSampled(sampled))).not.toThrow();
    }
  });

  it('has all eight reading contexts, 22 measurands, 10 phases, 5 locations and 17 units', () => {
    expect([readingContexts.length, measurands.length, phases.length]).toEqual([8, 22, 10]);
    expect([measurandLocations.length, unitsOfMeasure.length]).toEqual([5, 17]);
  });

  it('accepts connector 0 (the main meter) and a Trigger answer with its requestId', () => {
    expect(() =>
      parseOrThrow(topicSchema, { ...ocppMessage, connectorId: 0, transactionId: undefined }),
    ).not.toThrow();
    const trigger = withSampled({ value: '1', context: 'Trigger' }, { requestId, sessionId });
    expect(parseOrThrow(topicSchema, trigger)).toMatchObject({ requestId, sessionId });
  });
});

describe('a message without connectorId', () => {
  it('is a transaction’s when transactionId names it (a StopTransaction’s transactionData), else bad input', () => {
    const { connectorId: _connector, ...withoutConnector } = ocppMessage;
    expect(parseOrThrow(topicSchema, withoutConnector)).toMatchObject({ transactionId: 42 });
    expect(() => parseOrThrow(topicSchema, { ...withoutConnector, transactionId: undefined })).toThrow(
      expect.objectContaining({ field: 'connectorId' }),
    );
  });
});

describe('v2 rejections name their field', () => {
  const cases: readonly [string, unknown, string][] = [
    [
      'a number where OCPP sends a decimal string',
      withSampled({ value: 12.5 }),
      'meterValue.0.sampledValue.0.value',
    ],
    ['a value that is not a decimal', withSampled({ value: '12,5' }), 'meterValue.0.sampledValue.0.value'],
    [
      'an exponent (not xsd:decimal)',
      withSampled({ value: '1e3', measurand: 'Voltage' }),
      'meterValue.0.sampledValue.0.value',
    ],
    ['an empty value', withSampled({ value: '' }), 'meterValue.0.sampledValue.0.value'],
    [
      'a ninth context',
      withSampled({ value: '1', context: 'Sample.Random' }),
      'meterValue.0.sampledValue.0.context',
    ],
    [
      'an unknown measurand',
      withSampled({ value: '1', measurand: 'Energy' }),
      'meterValue.0.sampledValue.0.measurand',
    ],
    ['an unknown phase', withSampled({ value: '1', phase: 'L4' }), 'meterValue.0.sampledValue.0.phase'],
    [
      'an unknown location',
      withSampled({ value: '1', location: 'Roof' }),
      'meterValue.0.sampledValue.0.location',
    ],
    ['an unknown unit', withSampled({ value: '1', unit: 'MWh' }), 'meterValue.0.sampledValue.0.unit'],
    [
      'a stray sampled-value field',
      withSampled({ value: '1', quality: 'good' }),
      'meterValue.0.sampledValue.0.quality',
    ],
    ['a register in A', withSampled({ value: '1', unit: 'A' }), 'meterValue.0.sampledValue.0.unit'],
    [
      'power in Wh',
      withSampled({ value: '1', measurand: 'Power.Active.Import', unit: 'Wh' }),
      'meterValue.0.sampledValue.0.unit',
    ],
    ['a negative register', withSampled({ value: '-1' }), 'meterValue.0.sampledValue.0.value'],
    [
      'a register past 1e12 Wh',
      withSampled({ value: '1000000001', unit: 'kWh' }),
      'meterValue.0.sampledValue.0.value',
    ],
    [
      'a register DynamoDB cannot store',
      withSampled({ value: `0.${'0'.repeat(140)}1` }),
      'meterValue.0.sampledValue.0.value',
    ],
    [
      'power past 10 MW',
      withSampled({ value: '10001', measurand: 'Power.Active.Import', unit: 'kW' }),
      'meterValue.0.sampledValue.0.value',
    ],
    ['no meterValue entries', { ...ocppMessage, meterValue: [] }, 'meterValue'],
    [
      'no sampled values',
      { ...ocppMessage, meterValue: [{ timestamp, sampledValue: [] }] },
      'meterValue.0.sampledValue',
    ],
    [
      'a timestamp without milliseconds',
      { ...ocppMessage, meterValue: [{ timestamp: '2026-11-25T06:45:00Z', sampledValue: [{ value: '1' }] }] },
      'meterValue.0.timestamp',
    ],
    [
      'a timestamp twice in one message',
      { ...ocppMessage, meterValue: [...ocppMessage.meterValue, ...ocppMessage.meterValue] },
      'meterValue.1.timestamp',
    ],
    [
      'a stray meterValue field',
      { ...ocppMessage, meterValue: [{ ...ocppMessage.meterValue[0], at: timestamp }] },
      'meterValue.0.at',
    ],
    ['connector 1000', { ...ocppMessage, connectorId: 1000 }, 'connectorId'],
    ['a transaction on connector 0', { ...ocppMessage, connectorId: 0 }, 'transactionId'],
    [
      'a session on connector 0',
      { ...ocppMessage, connectorId: 0, transactionId: undefined, sessionId },
      'sessionId',
    ],
    ['transactionId 0', { ...ocppMessage, transactionId: 0 }, 'transactionId'],
    ['a requestId on a periodic reading', { ...ocppMessage, requestId }, 'requestId'],
    ['v1’s at beside meterValue', { ...ocppMessage, at: timestamp }, 'at'],
    ['v1’s energy beside meterValue', { ...ocppMessage, energy: v1Reading.energy }, 'energy'],
    ['a charger id in the payload', { ...ocppMessage, chargerId: 'CP-1' }, 'chargerId'],
  ];

  it.each(cases)('%s', (_name, input, field) => {
    expect(rejectedField(topicSchema, input)).toBe(field);
  });

  it('refuses a message over 8 KB', () => {
    const sampledValue = Array.from({ length: 300 }, () => ({ value: '230.1', measurand: 'Voltage' }));
    const big = { ...ocppMessage, meterValue: [{ timestamp, sampledValue }] };
    expect(rejectedField(topicSchema, big)).toBe('(payload)');
  });
});

describe('the meter topic, v1 shape, unchanged', () => {
  it('accepts a v1 reading as before', () => {
    expect(parseOrThrow(topicSchema, v1Reading)).toEqual(v1Reading);
  });

  it.each([
    ['an extra field', { ...v1Reading, voltage: 230 }, 'voltage'],
    ['a missing energy', { ...v1Reading, energy: undefined }, 'energy'],
    ['an OCPP-only context', { ...v1Reading, context: 'Interruption.Begin' }, 'context'],
    ['connector 0', { ...v1Reading, connectorId: 0 }, 'connectorId'],
  ])('names the field of %s', (_name, input, field) => {
    expect(rejectedField(topicSchema, input)).toBe(field);
  });

  it('parses the rule event of either shape', () => {
    const envelope = { chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1_795_587_605_230 };
    expect(meterTopicEventSchema.parse({ ...v1Reading, ...envelope })).toMatchObject({
      energy: v1Reading.energy,
    });
    expect(meterTopicEventSchema.parse({ ...ocppMessage, ...envelope })).toMatchObject({ transactionId: 42 });
    expect(rejectedField(meterTopicEventSchema, { ...ocppMessage, ...envelope, clientId: undefined })).toBe(
      'clientId',
    );
  });
});

describe('the values that drive sessions', () => {
  const meterValue = (sampledValue: Record<string, unknown>[]) =>
    parseOrThrow(meterValuesPayloadSchema, { ...ocppMessage, meterValue: [{ timestamp, sampledValue }] })
      .meterValue[0]!;

  it('takes the overall outlet register, in Wh', () => {
    const values = meterValue([
      { value: '5', phase: 'L1' },
      { value: '6', location: 'Inlet' },
      { value: '12.3456', unit: 'kWh' },
      { value: '99' },
    ]);
    expect(registerSampleOf(values)).toEqual({ index: 2, value: 12_345.6 });
  });

  it('has no register when only other measurands, phases or signed data are sent', () => {
    const values = meterValue([
      { value: 'MIIB', format: 'SignedData' },
      { value: '5', phase: 'L2' },
      { value: '61', measurand: 'SoC', unit: 'Percent' },
    ]);
    expect(registerSampleOf(values)).toBeUndefined();
  });

  it('takes active import power in W, and only with a unit (OCPP gives power no default unit)', () => {
    expect(
      powerSampleOf(meterValue([{ value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' }])),
    ).toEqual({
      index: 0,
      value: 7200,
    });
    expect(powerSampleOf(meterValue([{ value: '7200', measurand: 'Power.Active.Import' }]))).toBeUndefined();
    expect(
      powerSampleOf(
        meterValue([{ value: '7200', measurand: 'Power.Active.Import', unit: 'W', phase: 'L1' }]),
      ),
    ).toBeUndefined();
  });
});
