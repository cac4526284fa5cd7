import { createDocumentClient } from '@evcharge/dynamo';
import { gatewayConfigFrom } from './config.js';
import { tableCredentialLookup } from './credential-store.js';
import { startGateway } from './gateway.js';
import { jsonLogger } from './log.js';
import { mqttUpstream } from './upstream/mqtt-upstream.js';

// `npx pnpm --filter @evcharge/ocpp-gateway start`: the long-lived gateway process, configured from the environment.

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    'usage: npx pnpm --filter @evcharge/ocpp-gateway start\n' +
      '  settings from the environment (OCPP_PORT, MQTT_URL, TABLE_NAME, GATEWAY_MQTT_USERNAME, …): services/ocpp-gateway/README.md',
  );
  process.exit(0);
}

const config = gatewayConfigFrom(process.env);
const log = jsonLogger();
const table = { client: createDocumentClient(), tableName: config.TABLE_NAME };
const { GATEWAY_MQTT_USERNAME: username, GATEWAY_MQTT_PASSWORD: password } = config;
if (!username || !password) throw new Error('GATEWAY_MQTT_USERNAME and GATEWAY_MQTT_PASSWORD are required');

const gateway = await startGateway({
  port: config.OCPP_PORT,
  host: config.OCPP_HOST,
  credentials: tableCredentialLookup(table),
  upstream: mqttUpstream({ url: config.MQTT_URL, credentials: async () => ({ username, password }), log }),
  cloudAnswerTimeoutMs: config.CLOUD_ANSWER_TIMEOUT_MS,
  chargerCallTimeoutMs: config.CHARGER_CALL_TIMEOUT_MS,
  pingIntervalMs: config.PING_INTERVAL_MS,
  log,
});
log.info('ocpp gateway listening', { url: `${gateway.urlFor('')}{chargerId}` });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info('ocpp gateway stopping', { signal });
    void gateway.close().then(() => process.exit(0));
  });
}
