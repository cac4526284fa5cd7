import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { type AuthResponsePayload, authResponsePayloadSchema, chargerTopic } from '@evcharge/domain';

// Module scope: one client per cold start. The endpoint comes from AWS_ENDPOINT_URL_IOT_DATA_PLANE
// (the account's ATS endpoint on AWS, the local cloud's data plane locally).
const iotDataPlane = new IoTDataPlaneClient({});

/** Answers a charger on chargers/{chargerId}/auth/response, QoS 1. */
export async function publishAuthResponse(chargerId: string, response: AuthResponsePayload): Promise<void> {
  const payload = authResponsePayloadSchema.parse(response);
  await iotDataPlane.send(
    new PublishCommand({
      topic: chargerTopic('authResponse', chargerId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
}
