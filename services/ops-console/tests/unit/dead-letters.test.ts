import { describe, expect, it } from '@jest/globals';
import { selectedLettersOf } from '../../src/dead-letters.js';

const services = ['heartbeat', 'metering'];

describe('selectedLettersOf', () => {
  it('takes letters of the listed services’ dead-letter queues', () => {
    const letters = [
      { queue: 'heartbeat-local-dead-letters', messageId: 'ac939979-0d33-45fb-ae80-cb4918e29b0d' },
    ];
    expect(selectedLettersOf({ letters }, services, 'local')).toEqual(letters);
  });

  it.each([
    [{}],
    [{ letters: [] }],
    [{ letters: [{ queue: 'other-local-dead-letters', messageId: 'a' }] }],
    [{ letters: [{ queue: 'heartbeat-local-dead-letters', messageId: 'a b' }] }],
    [{ letters: ['heartbeat-local-dead-letters'] }],
  ])('refuses %j with a 400 naming letters', (body) => {
    expect(() => selectedLettersOf(body, services, 'local')).toThrow(/letters/);
  });
});
