import type { IncomingHttpHeaders } from 'node:http';
import { chargerIdSchema } from '@evcharge/domain';
import { verifyCredential } from '@evcharge/local-identity';
import type { CredentialLookup } from './credential-store.js';

// The OCPP-J 1.6 handshake (section 3) with security profile 1 (HTTP Basic: username = chargerId, password =
// the charger's AuthorizationKey): an unknown charger id is 404, bad or missing credentials 401, and a client
// that does not offer `ocpp1.6` is accepted without a subprotocol and then closed at once (by the caller).

export const OCPP_SUBPROTOCOL = 'ocpp1.6';
export const OCPP_PATH_PREFIX = '/ocpp/';

/** A well-formed hash no password matches (its salt and key are fixed bytes), compared like a real one. */
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16, 1).toString('base64url')}$${Buffer.alloc(32, 2).toString('base64url')}`;

export type HandshakeOutcome =
  | { accept: true; chargerId: string; subprotocol: typeof OCPP_SUBPROTOCOL | false }
  | { accept: false; status: 401 | 404; reason: string };

export function chargerIdFromPath(url: string | undefined): string | undefined {
  const { pathname } = new URL(url ?? '/', 'http://gateway');
  if (!pathname.startsWith(OCPP_PATH_PREFIX)) return undefined;
  let chargerId: string;
  try {
    chargerId = decodeURIComponent(pathname.slice(OCPP_PATH_PREFIX.length));
  } catch {
    return undefined;
  }
  return chargerIdSchema.safeParse(chargerId).success ? chargerId : undefined;
}

export function basicCredentials(
  authorization: string | undefined,
): { username: string; password: string } | undefined {
  const match = /^\s*basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function offersSubprotocol(header: string | string[] | undefined, subprotocol: string): boolean {
  const values = Array.isArray(header) ? header.join(',') : (header ?? '');
  return values.split(',').some((offered) => offered.trim() === subprotocol);
}

export async function decideHandshake(
  request: { url?: string | undefined; headers: IncomingHttpHeaders },
  credentials: CredentialLookup,
): Promise<HandshakeOutcome> {
  const chargerId = chargerIdFromPath(request.url);
  if (!chargerId) return { accept: false, status: 404, reason: 'not an /ocpp/{chargerId} path' };
  const credential = await credentials.credentialOf(chargerId);
  if (!credential) return { accept: false, status: 404, reason: 'unknown charger id' };
  const given = basicCredentials(request.headers.authorization);
  if (!given) return { accept: false, status: 401, reason: 'no HTTP Basic credentials' };
  // Always run the slow comparison, so a wrong username or a missing hash takes as long as a wrong password.
  const valid = await verifyCredential(given.password, credential.ocppCredentialHash ?? DUMMY_HASH);
  if (!valid || given.username !== chargerId || !credential.ocppCredentialHash) {
    return { accept: false, status: 401, reason: 'bad credentials' };
  }
  const subprotocol = offersSubprotocol(request.headers['sec-websocket-protocol'], OCPP_SUBPROTOCOL)
    ? OCPP_SUBPROTOCOL
    : false;
  return { accept: true, chargerId, subprotocol };
}
