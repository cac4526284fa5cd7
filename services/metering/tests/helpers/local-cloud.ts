import { connectAsync, type MqttClient } from 'mqtt';

export { type LocalCloud, startLocalCloud } from '@evcharge/local-cloud';
export { signDevToken } from '@evcharge/local-identity';
export { registerChargerLocally } from '@evcharge/operator-cli';

export type ChargerClient = MqttClient;

/** Connects as the charger: client id = username = chargerId, as the local broker (and IoT Core) expect. */
export function connectCharger(mqttUrl: string, chargerId: string, password: string): Promise<MqttClient> {
  return connectAsync(mqttUrl, { clientId: chargerId, username: chargerId, password, reconnectPeriod: 0 });
}
