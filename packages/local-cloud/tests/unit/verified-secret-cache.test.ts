import { describe, expect, it } from '@jest/globals';
import { verifiedSecretCache } from '../../src/gateway/verified-secret-cache.js';

describe('verifiedSecretCache (a gateway secret slow-hashed once, not on every charger connection)', () => {
  it('runs the slow check once for a secret that passed, and every time for one that did not', async () => {
    const calls: string[] = [];
    const slowVerify = async (secret: string, hash: string) => {
      calls.push(secret);
      return hash === `hash-of-${secret}`;
    };
    const cache = verifiedSecretCache(slowVerify);
    expect(await cache.verify('gw-1', 'right', 'hash-of-right')).toBe(true);
    expect(await cache.verify('gw-1', 'right', 'hash-of-right')).toBe(true);
    expect(await cache.verify('gw-1', 'wrong', 'hash-of-right')).toBe(false);
    expect(await cache.verify('gw-1', 'wrong', 'hash-of-right')).toBe(false);
    expect(calls).toEqual(['right', 'wrong', 'wrong']);
  });

  it('keeps each gateway apart, and checks again when the stored hash changed (a rotated secret)', async () => {
    const calls: string[] = [];
    const cache = verifiedSecretCache(async (secret, hash) => {
      calls.push(`${secret}@${hash}`);
      return hash.endsWith(secret);
    });
    expect(await cache.verify('gw-1', 'a', 'h1-a')).toBe(true);
    expect(await cache.verify('gw-2', 'a', 'h1-b')).toBe(false);
    expect(await cache.verify('gw-1', 'a', 'h2-b')).toBe(false);
    expect(calls).toEqual(['a@h1-a', 'a@h1-b', 'a@h2-b']);
  });
});
