import { describe, expect, it } from '@jest/globals';
import { connectorEventSchema } from '../../src/index.js';

const MESSAGE_ID = '00000000-0000-4000-8000-00000000a001';
const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('connectorEventSchema', () => {
  it('accepts an ignored event with its reason and refuses an unknown reason', () => {
    const recorded = {
      chargerId: 'CP-1',
      connectorId: 1,
      messageId: MESSAGE_ID,
      event: 'unplugged',
      at: iso(T0),
      receivedAt: iso(T0 + 10),
      outcome: 'ignored',
      reason: 'not-plugged',
      connectorStatus: 'Available',
    };
    expect(connectorEventSchema.parse(recorded)).toEqual(recorded);
    expect(connectorEventSchema.safeParse({ ...recorded, reason: 'bored' }).success).toBe(false);
  });
});
