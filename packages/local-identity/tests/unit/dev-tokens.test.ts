import { afterEach, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import {
  DEV_ONLY_LOCAL_JWT_SECRET,
  InvalidDevTokenError,
  LOCAL_JWT_AUDIENCE,
  LOCAL_JWT_ISSUER,
  signDevToken,
  verifyDevToken,
} from '../../src/dev-tokens.js';

const key = (secret: string) => new TextEncoder().encode(secret);

function token(overrides: {
  issuer?: string;
  audience?: string;
  expiresAt?: number;
  secret?: string;
  sub?: string;
}) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(overrides.issuer ?? LOCAL_JWT_ISSUER)
    .setAudience(overrides.audience ?? LOCAL_JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 60);
  if (overrides.sub !== '') jwt.setSubject(overrides.sub ?? 'alice');
  return jwt.sign(key(overrides.secret ?? DEV_ONLY_LOCAL_JWT_SECRET));
}

describe('dev tokens', () => {
  afterEach(() => {
    delete process.env.LOCAL_JWT_SECRET;
  });

  it('signs a token whose sub is the userId', async () => {
    const signed = await signDevToken('user-42');
    await expect(verifyDevToken(signed)).resolves.toEqual({ sub: 'user-42' });
    const claims = JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'user-42', iss: 'ev-charging-local', aud: 'ev-charging-api' });
    expect(claims.exp - claims.iat).toBe(12 * 3600);
  });

  it('honours expiresInS', async () => {
    const signed = await signDevToken('bob', { expiresInS: 5 });
    const claims = JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(5);
  });

  it('uses LOCAL_JWT_SECRET when set, and then rejects default-key tokens', async () => {
    const withDefault = await signDevToken('alice');
    process.env.LOCAL_JWT_SECRET = 'another-local-secret-of-enough-length-123';
    const withEnv = await signDevToken('alice');
    await expect(verifyDevToken(withEnv)).resolves.toEqual({ sub: 'alice' });
    await expect(verifyDevToken(withDefault)).rejects.toThrow(InvalidDevTokenError);
  });

  it.each([
    ['expired', { expiresAt: Math.floor(Date.now() / 1000) - 120 }, 'ERR_JWT_EXPIRED'],
    ['wrong signature', { secret: 'not-the-local-key-but-long-enough-to-sign' }, 'ERR_JWS_SIGNATURE'],
    ['wrong issuer', { issuer: 'https://evil.example' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrong audience', { audience: 'another-api' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['no subject', { sub: '' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
  ])('rejects a token with %s', async (_name, overrides, code) => {
    const bad = await token(overrides);
    await expect(verifyDevToken(bad)).rejects.toThrow(InvalidDevTokenError);
    await expect(verifyDevToken(bad)).rejects.toThrow(code);
  });

  it('rejects a tampered payload and an unsigned (alg none) token', async () => {
    const [header, , signature] = (await signDevToken('alice')).split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: 'admin', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp: 4e9 }),
    ).toString('base64url');
    await expect(verifyDevToken(`${header}.${forgedPayload}.${signature}`)).rejects.toThrow(
      InvalidDevTokenError,
    );
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    await expect(verifyDevToken(`${noneHeader}.${forgedPayload}.`)).rejects.toThrow(InvalidDevTokenError);
    await expect(verifyDevToken('not-a-jwt')).rejects.toThrow(InvalidDevTokenError);
  });
});
