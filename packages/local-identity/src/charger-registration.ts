import { BadInputError, chargerIdSchema } from '@evcharge/domain';
import { registerCharger, type TableContext } from '@evcharge/dynamo';
import { generatePassword, hashCredential } from './credentials.js';

export interface RegisterChargerRequest {
  chargerId: string;
  connectorCount: number;
  /** Pending until `chargers commission`; Accepted (commissioned) when absent. */
  pending?: boolean;
  now: Date;
}

export interface LocalChargerCredentials {
  chargerId: string;
  /** Always the chargerId: the local broker authenticates username = client id = chargerId. */
  username: string;
  password: string;
}

/** Throws BadInputError naming the field; the operator CLI's AWS registration checks its input with it too. */
export function validateChargerRegistration(input: RegisterChargerRequest): void {
  const chargerId = chargerIdSchema.safeParse(input.chargerId);
  if (!chargerId.success)
    throw new BadInputError('chargerId', chargerId.error.issues[0]?.message ?? 'invalid');
  if (!Number.isInteger(input.connectorCount) || input.connectorCount < 1 || input.connectorCount > 999) {
    throw new BadInputError('connectorCount', 'must be an integer from 1 to 999');
  }
}

/**
 * The local cloud's registration: records the charger and issues broker credentials. Only the scrypt
 * hash is stored; the password is returned once. Re-registering rotates the password.
 */
export async function registerChargerLocally(
  table: TableContext,
  input: RegisterChargerRequest,
): Promise<LocalChargerCredentials> {
  validateChargerRegistration(input);
  const password = generatePassword();
  await registerCharger(table, {
    chargerId: input.chargerId,
    connectorCount: input.connectorCount,
    credentialHash: await hashCredential(password, 'local-broker'),
    pending: input.pending,
    now: input.now,
  });
  return { chargerId: input.chargerId, username: input.chargerId, password };
}
