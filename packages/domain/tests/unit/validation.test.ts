import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import {
  BadInputError,
  MAX_PAYLOAD_BYTES,
  meterEventSchema,
  meterPayloadSchema,
  parseOrThrow,
} from '../../src/index.js';

const messageId = '0b7e7e84-4b5c-4f5e-9d8b-2d3c4b5a6f70';
const reading = {
  messageId,
  connectorId: 1,
  at: '2026-11-25T06:30:00.000Z',
  energy: { value: 1.5, unit: 'kWh' },
  context: 'Sample.Periodic',
};

/** The BadInputError parseOrThrow throws; fails the test when it does not throw one. */
function rejectionOf(schema: z.ZodMiniType, input: unknown): BadInputError {
  try {
    parseOrThrow(schema, input);
  } catch (error) {
    if (error instanceof BadInputError) return error;
    throw error;
  }
  throw new Error('expected a BadInputError');
}

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(meterPayloadSchema, reading)).toEqual(reading);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', '{"at":"2026-11-25T06:30:00.000Z"}'],
    ['a number', 42],
    ['a boolean', true],
    ['an array', [reading]],
  ])('refuses %s as a payload', (_description, input) => {
    const error = rejectionOf(meterPayloadSchema, input);
    expect(error).toMatchObject({
      field: '(payload)',
      reason: 'must be a JSON object',
      errorClass: 'bad-input',
    });
  });

  it.each([
    [
      'a missing field',
      { ...reading, at: undefined },
      'at',
      'Invalid input: expected string, received undefined',
    ],
    ['a wrong type', { ...reading, connectorId: '1' }, 'connectorId', 'expected number'],
    ['a nested field', { ...reading, energy: { value: -1, unit: 'Wh' } }, 'energy.value', '>=0'],
    ['a nested enum', { ...reading, energy: { value: 1, unit: 'MWh' } }, 'energy.unit', 'Wh'],
    ['NaN', { ...reading, energy: { value: Number.NaN, unit: 'Wh' } }, 'energy.value', 'NaN'],
    ['a bad uuid', { ...reading, messageId: 'm-1' }, 'messageId', 'UUID'],
    [
      'a cross-field rule',
      { ...reading, requestId: messageId },
      'requestId',
      'only allowed with context "Trigger"',
    ],
  ])('names the field and the reason for %s', (_description, input, field, reasonPart) => {
    const error = rejectionOf(meterPayloadSchema, input);
    expect(error.field).toBe(field);
    expect(error.reason).toContain(reasonPart);
    expect(error.message).toBe(`${field}: ${error.reason}`);
  });

  it('names an unrecognized key', () => {
    const error = rejectionOf(meterPayloadSchema, { ...reading, voltage: 230 });
    expect(error).toMatchObject({ field: 'voltage', reason: 'is not a field of this message' });
  });

  it('names every unrecognized key', () => {
    const error = rejectionOf(meterPayloadSchema, { ...reading, voltage: 230, phase: 'L1' });
    expect(error.field.split(',').sort()).toEqual(['phase', 'voltage']);
  });

  it('names a nested unrecognized key by its dotted path', () => {
    const error = rejectionOf(meterPayloadSchema, {
      ...reading,
      energy: { value: 1, unit: 'Wh', phase: 'L1' },
    });
    expect(error).toMatchObject({ field: 'energy.phase', reason: 'is not a field of this message' });
  });

  it('uses (payload) for a rule on the whole object', () => {
    const schema = z
      .object({ from: z.number(), to: z.number() })
      .check(z.refine((range) => range.from <= range.to, { message: 'from must not be after to' }));
    expect(rejectionOf(schema, { from: 2, to: 1 })).toMatchObject({
      field: '(payload)',
      reason: 'from must not be after to',
    });
  });

  describe('size limit', () => {
    const padded = z.strictObject({ pad: z.string() });
    // {"pad":"…"} adds 10 bytes around the padding.
    const overhead = JSON.stringify({ pad: '' }).length;

    it('accepts a payload of exactly 8 KB', () => {
      const input = { pad: 'x'.repeat(MAX_PAYLOAD_BYTES - overhead) };
      expect(parseOrThrow(padded, input)).toEqual(input);
    });

    it('refuses a payload one byte over 8 KB, before validating it', () => {
      const error = rejectionOf(z.strictObject({}), { pad: 'x'.repeat(MAX_PAYLOAD_BYTES - overhead + 1) });
      expect(error.field).toBe('(payload)');
      expect(error.reason).toBe(`is ${MAX_PAYLOAD_BYTES + 1} bytes, over the 8192-byte limit`);
    });

    it('counts bytes, not characters', () => {
      const characters = Math.floor((MAX_PAYLOAD_BYTES - overhead) / 2) + 1; // 2 bytes each in UTF-8
      const input = { pad: 'é'.repeat(characters) };
      expect(JSON.stringify(input).length).toBeLessThan(MAX_PAYLOAD_BYTES);
      expect(rejectionOf(padded, input).field).toBe('(payload)');
    });

    it('measures the whole rule event, envelope included', () => {
      const envelope = { chargerId: 'CP-1', clientId: 'CP-1', receivedAt: 1 };
      const error = rejectionOf(meterEventSchema, { ...reading, ...envelope, firmware: 'f'.repeat(9000) });
      expect(error.reason).toMatch(/over the 8192-byte limit/);
    });
  });
});
