import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The local cloud, the operator CLI and mqtt are not dependencies of this service (package.json predates
// the e2e test and installs are the lead's). Until they are added as devDependencies, they are reached
// through the local-cloud package, which depends on all three. Replace with plain imports then.
const localCloudDir = join(import.meta.dirname, '../../../../packages/local-cloud');

export { type LocalCloud, startLocalCloud } from '../../../../packages/local-cloud/src/index.js';
export { registerChargerLocally } from '../../../../packages/operator-cli/src/index.js';

/** The part of mqtt.js's client these tests use. */
export interface MqttTestClient {
  subscribeAsync: (topic: string, options: { qos: 0 | 1 }) => Promise<unknown>;
  publishAsync: (topic: string, payload: string, options: { qos: 0 | 1 }) => Promise<unknown>;
  on: (event: 'message', listener: (topic: string, payload: Buffer) => void) => unknown;
  endAsync: () => Promise<void>;
}

interface MqttModule {
  connectAsync: (url: string, options: Record<string, unknown>) => Promise<MqttTestClient>;
}

export async function connectMqtt(
  url: string,
  credentials: { username: string; password: string },
): Promise<MqttTestClient> {
  const mqttEntry = createRequire(join(localCloudDir, 'package.json')).resolve('mqtt');
  const mqtt = (await import(pathToFileURL(mqttEntry).href)) as MqttModule & { default?: MqttModule };
  const connectAsync = mqtt.connectAsync ?? mqtt.default?.connectAsync;
  if (!connectAsync) throw new Error(`mqtt at ${mqttEntry} has no connectAsync`);
  return connectAsync(url, {
    clientId: credentials.username,
    username: credentials.username,
    password: credentials.password,
    reconnectPeriod: 0,
  });
}
