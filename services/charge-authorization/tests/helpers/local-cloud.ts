import { connectAsync, type MqttClient } from 'mqtt';

export { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
export { registerChargerLocally } from '@evcharge/operator-cli';

export type MqttTestClient = MqttClient;

/** Connects as the charger: client id = username = chargerId, as the local broker (and IoT Core) expect. */
export function connectMqtt(
  url: string,
  credentials: { username: string; password: string },
): Promise<MqttClient> {
  return connectAsync(url, {
    clientId: credentials.username,
    username: credentials.username,
    password: credentials.password,
    reconnectPeriod: 0,
  });
}
