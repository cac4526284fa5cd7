import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { registerCharger, type TableContext } from '@evcharge/dynamo';
import { type RegisterChargerRequest, validateChargerRegistration } from '@evcharge/local-identity';
import { chargerIotPolicyNames } from './iot-policy.js';

// The local registration lives in @evcharge/local-identity, so the simulator registers without this package.
export {
  type LocalChargerCredentials,
  type RegisterChargerRequest,
  registerChargerLocally,
} from '@evcharge/local-identity';

export interface AwsRegistrationOptions {
  /** Where the certificate and private key are written (created 0700 if missing; files 0600). */
  certDir: string;
  /** The base name of the IoT policies to attach (`NAME`, `NAME-commands`), created by `chargers create-policy`. */
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
  validateChargerRegistration(input);
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

  for (const policyName of chargerIotPolicyNames(options.policyName)) {
    await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
  }
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  await registerCharger(table, {
    chargerId: thingName,
    connectorCount: input.connectorCount,
    pending: input.pending,
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
