import { CreatePolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import { chargerIotPolicies } from './iot-policy.js';

export interface CreateChargerPolicyInput {
  /** The base name: the policies are `NAME`, `NAME-commands` and `NAME-ingest` (see `chargerIotPolicyNames`). */
  policyName: string;
  region: string;
  accountId: string;
  /** The deploy stage: the Basic Ingest rule names carry it. */
  stage: string;
}

/** Creates the production charger policies once per account and region; `register --aws` attaches them. */
export async function createChargerPolicy(
  iot: IoTClient,
  input: CreateChargerPolicyInput,
): Promise<{ policyName: string; policyArn: string }[]> {
  const created: { policyName: string; policyArn: string }[] = [];
  for (const policy of chargerIotPolicies(input.region, input.accountId, input.stage)) {
    const policyName = `${input.policyName}${policy.nameSuffix}`;
    const response = await iot.send(
      new CreatePolicyCommand({ policyName, policyDocument: JSON.stringify(policy.document) }),
    );
    created.push({ policyName, policyArn: response.policyArn ?? '' });
  }
  return created;
}
