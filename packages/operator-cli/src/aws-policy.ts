import { CreatePolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import { chargerIotPolicyDocument } from './iot-policy.js';

export interface CreateChargerPolicyInput {
  policyName: string;
  region: string;
  accountId: string;
}

/** Creates the production charger policy once per account and region; `register --aws` attaches it. */
export async function createChargerPolicy(
  iot: IoTClient,
  input: CreateChargerPolicyInput,
): Promise<{ policyName: string; policyArn: string }> {
  const created = await iot.send(
    new CreatePolicyCommand({
      policyName: input.policyName,
      policyDocument: JSON.stringify(chargerIotPolicyDocument(input.region, input.accountId)),
    }),
  );
  return { policyName: input.policyName, policyArn: created.policyArn ?? '' };
}
