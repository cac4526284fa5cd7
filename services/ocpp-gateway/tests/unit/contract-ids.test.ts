import { uuidSchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { CloudAnswers, within } from '../../src/cloud-answers.js';
import { canonicalJson, contractIdFor } from '../../src/mapping/contract-ids.js';

describe('contract ids from content', () => {
  it('is a valid UUID (v5), the same for the same content whatever the key order', () => {
    const id = contractIdFor('CP-1', 'status', { b: 1, a: { d: 2, c: 3 } });
    expect(uuidSchema.safeParse(id).success).toBe(true);
    expect(id[14]).toBe('5');
    expect(contractIdFor('CP-1', 'status', { a: { c: 3, d: 2 }, b: 1 })).toBe(id);
    expect(canonicalJson({ b: 1, a: undefined, c: [2, { y: 1, x: 0 }] })).toBe(
      '{"b":1,"c":[2,{"x":0,"y":1}]}',
    );
  });

  it('differs by charger, by topic and by content', () => {
    const id = contractIdFor('CP-1', 'status', { a: 1 });
    expect(contractIdFor('CP-2', 'status', { a: 1 })).not.toBe(id);
    expect(contractIdFor('CP-1', 'meter', { a: 1 })).not.toBe(id);
    expect(contractIdFor('CP-1', 'status', { a: 2 })).not.toBe(id);
  });
});

describe('waiting for the cloud', () => {
  it('delivers an answer to every waiter of its requestId, and only to them', async () => {
    const answers = new CloudAnswers();
    const first = answers.expect<{ requestId: string }>('bootResponse', 'r1');
    const second = answers.expect<{ requestId: string }>('bootResponse', 'r1');
    expect(answers.deliver('authorizeResponse', { requestId: 'r1' })).toBe(false);
    expect(answers.deliver('bootResponse', { requestId: 'r1' })).toBe(true);
    await expect(first.answer).resolves.toEqual({ requestId: 'r1' });
    await expect(second.answer).resolves.toEqual({ requestId: 'r1' });
    expect(answers.pending()).toBe(0);
  });

  it('a cancelled waiter is forgotten; a deadline rejects with the given error', async () => {
    const answers = new CloudAnswers();
    answers.expect('bootResponse', 'r2').cancel();
    expect(answers.pending()).toBe(0);
    await expect(within(new Promise(() => undefined), 10, () => new Error('late'))).rejects.toThrow('late');
    await expect(within(Promise.resolve(1), 1_000, () => new Error('late'))).resolves.toBe(1);
  });
});
