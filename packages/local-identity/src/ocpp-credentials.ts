import { randomBytes } from 'node:crypto';
import { setOcppCredentialHash, type TableContext } from '@evcharge/dynamo';
import { hashCredential } from './credentials.js';

/** The site gateway the local cloud runs: every charger registered locally is assigned to it. */
export const LOCAL_GATEWAY_ID = 'local-gateway';

export interface OcppCredentials {
  /** OCPP-J security profile 1/2: the HTTP Basic username is the chargerId. */
  username: string;
  /** The charger's AuthorizationKey; only its scrypt hash is stored, so this is shown once. */
  password: string;
}

/** Issues (or rotates) a registered charger's OCPP credential; NotFoundError for an unknown charger. */
export async function issueOcppCredentials(table: TableContext, chargerId: string): Promise<OcppCredentials> {
  // 20 random bytes as 40 hex characters: within both OCPP 1.6 security's AuthorizationKey (at most 20 bytes,
  // hex) and a 16–40 character passwordString.
  const password = randomBytes(20).toString('hex');
  await setOcppCredentialHash(table, chargerId, await hashCredential(password));
  return { username: chargerId, password };
}
