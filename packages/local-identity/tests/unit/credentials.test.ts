import { describe, expect, it } from '@jest/globals';
import { generatePassword, hashCredential, verifyCredential } from '../../src/credentials.js';

describe('credential hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashCredential('s3cret-password');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain('s3cret-password');
    await expect(verifyCredential('s3cret-password', hash)).resolves.toBe(true);
    await expect(verifyCredential('s3cret-passwore', hash)).resolves.toBe(false);
    await expect(verifyCredential('', hash)).resolves.toBe(false);
  });

  it('hashes local broker passwords with cheaper parameters it names, and verifies them the same way', async () => {
    const strong = await hashCredential('pw-1');
    const local = await hashCredential('pw-1', 'local-broker');
    expect(strong.split('$').slice(1, 4)).toEqual(['16384', '8', '1']);
    expect(local.split('$').slice(1, 4)).toEqual(['1024', '8', '1']);
    await expect(verifyCredential('pw-1', local)).resolves.toBe(true);
    await expect(verifyCredential('pw-2', local)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [first, second] = await Promise.all([hashCredential('same'), hashCredential('same')]);
    expect(first).not.toBe(second);
    await expect(verifyCredential('same', second)).resolves.toBe(true);
  });

  it.each([
    ['empty', ''],
    ['other scheme', 'bcrypt$2b$10$abc'],
    ['missing parts', 'scrypt$16384$8$1$abc'],
    ['non-numeric cost', 'scrypt$x$8$1$c2FsdA$aGFzaA'],
    ['huge cost', `scrypt$${2 ** 24}$8$1$c2FsdA$${'A'.repeat(43)}`],
    ['short hash', 'scrypt$16384$8$1$c2FsdA$aGFzaA'],
  ])('returns false for a malformed hash (%s) instead of throwing', async (_name, malformed) => {
    await expect(verifyCredential('anything', malformed)).resolves.toBe(false);
  });

  it('generates long, distinct, shell-safe passwords', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
