import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { BadInputError, chargerIdSchema } from '@evcharge/domain';
import { registerCharger, type TableContext } from '@evcharge/dynamo';
import { generatePassword, hashCredential } from '@evcharge/local-identity';

export interface RegisterChargerRequest {
  chargerId: string;
  connectorCount: number;
  now: Date;
}

export interface LocalChargerCredentials {
  chargerId: string;
  /** Always the chargerId: the local broker authenticates username = client id = chargerId. */
  username: string;
  password: string;
}

function validate(input: RegisterChargerRequest): void {
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
  validate(input);
  const password = generatePassword();
  await registerCharger(table, {
    chargerId: input.chargerId,
    connectorCount: input.connectorCount,
    credentialHash: await hashCredential(password),
    now: input.now,
  });
  return { chargerId: input.chargerId, username: input.chargerId, password };
}

export interface AwsRegistrationOptions {
  /** Where the certificate and private key are written (created 0700 if missing; files 0600). */
  certDir: string;
  /** The IoT policy to attach, created from `chargerIotPolicyDocument` at deploy time. */
  policyName: string;
}

export interface AwsChargerRegistration {
  chargerId: string;
  thingArn: string;
  certificateArn: string;
  certificateId: string;
  certificatePath: string;
  privateKeyPath: string;
}

async function writeSecretFile(path: string, contents: string): Promise<void> {
  await writeFile(path, contents, { mode: 0o600 });
  // mode only applies when the file is created; a re-registration overwrites an existing file.
  await chmod(path, 0o600);
}

/**
 * Production registration through the IoT control plane: thing, active certificate, policy on the
 * certificate, certificate on the thing, then the table record. The key files are written right after
 * CreateKeysAndCertificate, because AWS returns the private key only once.
 */
export async function registerChargerOnAws(
  iot: IoTClient,
  table: TableContext,
  input: RegisterChargerRequest,
  options: AwsRegistrationOptions,
): Promise<AwsChargerRegistration> {
  validate(input);
  const thingName = input.chargerId;
  const thing = await iot.send(new CreateThingCommand({ thingName }));
  const certificate = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateArn, certificateId, certificatePem } = certificate;
  const privateKey = certificate.keyPair?.PrivateKey;
  if (!certificateArn || !certificateId || !certificatePem || !privateKey || !thing.thingArn) {
    throw new Error('IoT CreateThing/CreateKeysAndCertificate returned an incomplete response');
  }

  await mkdir(options.certDir, { recursive: true, mode: 0o700 });
  const certificatePath = join(options.certDir, `${thingName}.cert.pem`);
  const privateKeyPath = join(options.certDir, `${thingName}.private.key`);
  await writeSecretFile(privateKeyPath, privateKey);
  await writeSecretFile(certificatePath, certificatePem);

  await iot.send(new AttachPolicyCommand({ policyName: options.policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  await registerCharger(table, {
    chargerId: thingName,
    connectorCount: input.connectorCount,
    now: input.now,
  });

  return {
    chargerId: thingName,
    thingArn: thing.thingArn,
    certificateArn,
    certificateId,
    certificatePath,
    privateKeyPath,
  };
}
