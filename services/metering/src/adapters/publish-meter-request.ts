import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { chargerTopic, type MeterRequestPayload, meterRequestPayloadSchema } from '@evcharge/domain';

// Module scope: one client per cold start. The endpoint comes from AWS_ENDPOINT_URL_IOT_DATA_PLANE.
const client = new IoTDataPlaneClient({});

/** TriggerMessage(MeterValues): asks the charger for a fresh reading on `chargers/{id}/meter/request`. */
export async function publishMeterRequest(chargerId: string, payload: MeterRequestPayload): Promise<void> {
  await client.send(
    new PublishCommand({
      topic: chargerTopic('meterRequest', chargerId),
      qos: 1,
      payload: new TextEncoder().encode(JSON.stringify(meterRequestPayloadSchema.parse(payload))),
    }),
  );
}

export type PublishMeterRequest = typeof publishMeterRequest;
