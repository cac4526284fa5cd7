import { randomUUID } from 'node:crypto';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '@evcharge/local-cloud';
import { registerChargerLocally } from '@evcharge/local-identity';
import mqtt, { type MqttClient } from 'mqtt';

/**
 * A local cloud for an end-to-end test: the real services (all unless `services` says), free ports, jest's DynamoDB
 * Local (unless the cloud keeps its own data), a table of its own.
 */
export function startServiceCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  return startLocalCloud({
    ports: { mqtt: 0, aws: 0, http: 0, dynamodb: 0 },
    ...(process.env.AWS_ENDPOINT_URL_DYNAMODB && !options.dataDir
      ? { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }
      : {}),
    tableName: `e2e-${randomUUID().slice(0, 8)}`,
    quiet: true,
    ...options,
  });
}

/** Connects as a charger (client id = username = chargerId) with its password, no reconnects. */
export function connectCharger(cloud: LocalCloud, chargerId: string, password: string): Promise<MqttClient> {
  return mqtt.connectAsync(cloud.endpoints.mqttUrl, {
    clientId: chargerId,
    username: chargerId,
    password,
    reconnectPeriod: 0,
  });
}

/** Registers a charger in the cloud's table (`--pending` with `pending`) and connects it. */
export async function registerAndConnect(
  cloud: LocalCloud,
  chargerId: string,
  connectorCount = 1,
  { pending = false }: { pending?: boolean } = {},
): Promise<{ charger: MqttClient; password: string }> {
  const { password } = await registerChargerLocally(cloud.table, {
    chargerId,
    connectorCount,
    pending,
    now: new Date(),
  });
  return { charger: await connectCharger(cloud, chargerId, password), password };
}
