import { createHash, timingSafeEqual } from 'node:crypto';

// A site gateway connects once per charger it serves, each time with its own credential. IoT Core checks a
// gateway's certificate in the TLS handshake; the local broker checks a password against a slow hash, which
// would cost one scrypt per charger connection. Once a secret has passed the slow check, its SHA-256 is kept and
// later connections compare against that (in constant time); a wrong secret always takes the slow path.

export interface VerifiedSecretCache {
  verify(id: string, secret: string, hash: string | Promise<string>): Promise<boolean>;
}

export function verifiedSecretCache(
  slowVerify: (secret: string, hash: string) => Promise<boolean>,
): VerifiedSecretCache {
  const verified = new Map<string, { hash: string; digest: Buffer }>();
  const digestOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();
  return {
    async verify(id, secret, hashOrPromise) {
      const hash = await hashOrPromise;
      const digest = digestOf(secret);
      const known = verified.get(id);
      if (known && known.hash === hash && timingSafeEqual(known.digest, digest)) return true;
      if (!(await slowVerify(secret, hash))) return false;
      verified.set(id, { hash, digest });
      return true;
    },
  };
}
