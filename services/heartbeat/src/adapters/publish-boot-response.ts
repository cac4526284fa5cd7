import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { type BootResponsePayload, bootResponsePayloadSchema, chargerTopic } from '@evcharge/domain';

// Module scope: one client per cold start. The endpoint comes from AWS_ENDPOINT_URL_IOT_DATA_PLANE
// (the account's ATS endpoint on AWS, the local cloud's data plane locally).
const iotDataPlane = new IoTDataPlaneClient({});

/** Answers a charger's boot on chargers/{chargerId}/boot/response, QoS 1. */
export async function publishBootResponse(chargerId: string, response: BootResponsePayload): Promise<void> {
  const payload = bootResponsePayloadSchema.parse(response);
  await iotDataPlane.send(
    new PublishCommand({
      topic: chargerTopic('bootResponse', chargerId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
}
