import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// Local broker passwords (IoT Core authenticates chargers by certificate) and chargers' OCPP AuthorizationKeys,
// which the OCPP gateway checks wherever it runs.
// Format: scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>, so parameters can be raised without a migration.

const SCRYPT_PARAMS = { N: 16_384, r: 8, p: 1 } as const;
/**
 * For passwords only the local broker checks (a local charger's MQTT password: on AWS, chargers authenticate
 * by certificate): 16× cheaper, so a fleet registers and connects fast. The hash names its own parameters.
 */
const LOCAL_BROKER_SCRYPT_PARAMS = { N: 1_024, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function deriveKey(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, derivedKey) =>
      error ? reject(error) : resolve(derivedKey),
    );
  });
}

export async function hashCredential(
  password: string,
  strength: 'default' | 'local-broker' = 'default',
): Promise<string> {
  const params = strength === 'local-broker' ? LOCAL_BROKER_SCRYPT_PARAMS : SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const derived = await deriveKey(password, salt, params);
  const { N, r, p } = params;
  return ['scrypt', N, r, p, salt.toString('base64url'), derived.toString('base64url')].join('$');
}

/** False for a wrong password and for a malformed hash; never throws on untrusted input. */
export async function verifyCredential(password: string, credentialHash: string): Promise<boolean> {
  const parts = credentialHash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p || !Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p)) return false;
  // Refuse parameters an attacker-controlled hash could use to burn CPU or memory.
  if (N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || expected.length !== KEY_LENGTH) return false;
  const derived = await deriveKey(password, salt, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(derived, expected);
}

/** A random broker password: 24 bytes, base64url (32 characters, no shell-special characters). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
