import { createRequire } from 'node:module';

// The local cloud, its operator tools and an MQTT client, for the end-to-end tests.
// metering's package.json does not (yet) list @evcharge/local-cloud, @evcharge/operator-cli or mqtt, and
// adding them needs a `pnpm install`, so they are reached through the local-cloud package for now.
export { type LocalCloud, startLocalCloud } from '../../../../packages/local-cloud/src/index.js';
export { registerChargerLocally, signDevToken } from '../../../../packages/operator-cli/src/index.js';

/** The part of mqtt.js the tests use. */
export interface ChargerClient {
  subscribeAsync: (topic: string, options: { qos: 0 | 1 }) => Promise<unknown>;
  publishAsync: (topic: string, payload: string, options: { qos: 0 | 1 }) => Promise<unknown>;
  on: (event: 'message', listener: (topic: string, payload: Buffer) => void) => void;
  endAsync: () => Promise<void>;
}

interface MqttModule {
  connectAsync: (
    url: string,
    options: { clientId: string; username: string; password: string; reconnectPeriod: number },
  ) => Promise<ChargerClient>;
}

const requireFromLocalCloud = createRequire(
  new URL('../../../../packages/local-cloud/package.json', import.meta.url),
);

/** Connects as the charger: client id = username = chargerId, as the local broker (and IoT Core) expect. */
export function connectCharger(mqttUrl: string, chargerId: string, password: string): Promise<ChargerClient> {
  const mqtt = requireFromLocalCloud('mqtt') as MqttModule;
  return mqtt.connectAsync(mqttUrl, {
    clientId: chargerId,
    username: chargerId,
    password,
    reconnectPeriod: 0,
  });
}
