import { readFileSync } from 'node:fs';
import {
  BadInputError,
  commandResponseEventSchema,
  diagnosticsStatusEventSchema,
  firmwareStatusEventSchema,
  ruleSql,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { commandAnswerOf, commandAnswerPlan, statusReportOf } from '../../src/rules.js';
import { commandResponseEvent, firmwareStatusEvent } from '../helpers/factories.js';

describe('commandAnswerPlan', () => {
  const answer = { status: 'Accepted' as const, payload: { configurationKey: [] } };

  it('records the first answer: on time while pending, late after a timeout or a failed publish', () => {
    expect(commandAnswerPlan({ state: 'pending' }, answer)).toEqual({ kind: 'record', late: false });
    expect(commandAnswerPlan({ state: 'timedOut' }, answer)).toEqual({ kind: 'record', late: true });
    expect(commandAnswerPlan({ state: 'failed' }, answer)).toEqual({ kind: 'record', late: true });
  });

  it('the same answer again is a duplicate, whatever the key order of its payload', () => {
    const stored = {
      state: 'answered' as const,
      answerStatus: 'Accepted' as const,
      answerPayload: { configurationKey: [] },
    };
    expect(commandAnswerPlan(stored, answer)).toEqual({ kind: 'duplicate' });
    expect(
      commandAnswerPlan(
        { state: 'answered', answerStatus: 'Accepted', answerPayload: { a: 1, b: 2 } },
        { status: 'Accepted', payload: { b: 2, a: 1 } },
      ),
    ).toEqual({ kind: 'duplicate' });
  });

  it('bad input, naming requestId: an unknown command, and a second, different answer', () => {
    expect(() => commandAnswerPlan(undefined, answer)).toThrow(
      new BadInputError('requestId', 'is not a command sent to this charger'),
    );
    const stored = { state: 'answered' as const, answerStatus: 'Rejected' as const };
    expect(() => commandAnswerPlan(stored, answer)).toThrow(BadInputError);
    expect(() => commandAnswerPlan({ ...stored, answerStatus: 'Accepted' }, answer)).toThrow(
      'requestId: was already answered differently',
    );
  });
});

describe('events and rules', () => {
  const definition = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');

  it.each([
    ['command-response', commandResponseEventSchema, 'chargers/+/command/response'],
    ['firmware-status', firmwareStatusEventSchema, 'chargers/+/firmware-status'],
    ['diagnostics-status', diagnosticsStatusEventSchema, 'chargers/+/diagnostics-status'],
  ])(
    '%s.json is its rule event, and the rule selects it with the shared envelope',
    (name, schema, filter) => {
      const sample: unknown = JSON.parse(
        readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8'),
      );
      expect(schema.safeParse(sample).success).toBe(true);
      expect(definition).toContain(`sql: "${ruleSql(filter)}"`);
    },
  );

  it('maps the events onto what the table keeps', () => {
    expect(commandAnswerOf(commandResponseEvent('CP-1'))).toEqual({
      chargerId: 'CP-1',
      requestId: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      status: 'Accepted',
      at: '2026-11-25T06:50:01.000Z',
      receivedAt: '2026-11-25T06:50:01.120Z',
    });
    expect(statusReportOf('firmwareStatus', firmwareStatusEvent('CP-1'))).toEqual({
      field: 'firmwareStatus',
      status: 'Installed',
      at: '2026-11-25T03:00:00.000Z',
      receivedAt: Date.parse('2026-11-25T03:00:00.120Z'),
      messageId: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
    });
  });
});

describe('commandAnswerOf', () => {
  it('keeps no payload for an empty one: it says nothing more, and an empty map is never stored', () => {
    expect(commandAnswerOf(commandResponseEvent('CP-1', { payload: {} }))).not.toHaveProperty('payload');
    expect(commandAnswerOf(commandResponseEvent('CP-1', { payload: { a: 1 } })).payload).toEqual({ a: 1 });
  });
});
