import { errors, jwtVerify, SignJWT } from 'jose';

// Tokens for the LOCAL cloud's HTTP API only. On AWS, the API's JWT authorizer trusts a real identity
// provider; nothing deployed ever accepts these tokens.

export const LOCAL_JWT_ISSUER = 'ev-charging-local';
export const LOCAL_JWT_AUDIENCE = 'ev-charging-api';
/** Dev-only default so `pnpm start` works with no setup. Public on purpose; never use it outside the local cloud. */
export const DEV_ONLY_LOCAL_JWT_SECRET =
  'ev-charging-local-cloud-dev-only-jwt-secret-do-not-use-in-production';
export const DEFAULT_DEV_TOKEN_TTL_S = 12 * 60 * 60;
/** Cognito's own claim for a user pool's groups; a user in `operators` may use the operator routes. */
export const GROUPS_CLAIM = 'cognito:groups';
export { OPERATORS_GROUP } from '@evcharge/domain';

const ALGORITHM = 'HS256';

function signingKey(): Uint8Array {
  return new TextEncoder().encode(process.env.LOCAL_JWT_SECRET || DEV_ONLY_LOCAL_JWT_SECRET);
}

export class InvalidDevTokenError extends Error {
  override readonly name = 'InvalidDevTokenError';
}

export async function signDevToken(
  userId: string,
  options: { expiresInS?: number; groups?: string[] } = {},
): Promise<string> {
  if (userId.length === 0) throw new RangeError('userId must not be empty');
  const expiresInS = options.expiresInS ?? DEFAULT_DEV_TOKEN_TTL_S;
  return new SignJWT(options.groups?.length ? { [GROUPS_CLAIM]: options.groups } : {})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(LOCAL_JWT_ISSUER)
    .setAudience(LOCAL_JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresInS}s`)
    .sign(signingKey());
}

/** Rejects (InvalidDevTokenError) expired, tampered, wrongly signed, wrong-issuer/audience and sub-less tokens. */
export async function verifyDevToken(token: string): Promise<{ sub: string }> {
  try {
    const { payload } = await jwtVerify(token, signingKey(), {
      algorithms: [ALGORITHM],
      issuer: LOCAL_JWT_ISSUER,
      audience: LOCAL_JWT_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new InvalidDevTokenError('token has no subject');
    }
    return { sub: payload.sub };
  } catch (error) {
    if (error instanceof InvalidDevTokenError) throw error;
    if (error instanceof errors.JOSEError) throw new InvalidDevTokenError(`${error.code}: ${error.message}`);
    throw error;
  }
}
