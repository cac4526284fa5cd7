import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { type CloudTopicKind, chargerTopic, cloudTopicSchemas } from '@evcharge/domain';
import type * as z from 'zod/mini';

// The one IoT data-plane Publish every service answers chargers with. Its own entry point
// (@evcharge/middleware/publish-to-charger), so only the functions that publish bundle the client.
// The endpoint comes from AWS_ENDPOINT_URL_IOT_DATA_PLANE (the account's ATS endpoint on AWS, the local
// cloud's data plane locally); one client per cold start, created on first use.
let client: IoTDataPlaneClient | undefined;

export type CloudPayload<Kind extends CloudTopicKind> = z.input<(typeof cloudTopicSchemas)[Kind]>;

/** Publishes a cloud → device message on chargers/{chargerId}/<kind>, QoS 1, checked against its schema. */
export async function publishToCharger<Kind extends CloudTopicKind>(
  kind: Kind,
  chargerId: string,
  payload: CloudPayload<Kind>,
): Promise<void> {
  const checked: unknown = cloudTopicSchemas[kind].parse(payload);
  client ??= new IoTDataPlaneClient({});
  await client.send(
    new PublishCommand({
      topic: chargerTopic(kind, chargerId),
      qos: 1,
      contentType: 'application/json',
      payload: new TextEncoder().encode(JSON.stringify(checked)),
    }),
  );
}
