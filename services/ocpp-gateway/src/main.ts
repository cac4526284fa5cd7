import { readFileSync } from 'node:fs';
import { createDocumentClient } from '@evcharge/dynamo';
import { gatewayConfigFrom } from './config.js';
import { tableCredentialLookup } from './credential-store.js';
import { startGateway } from './gateway.js';
import { jsonLogger } from './log.js';
import { logProcessMetrics } from './metrics.js';
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
const pem = (value: string | undefined, file: string | undefined) =>
  value ?? (file ? readFileSync(file) : undefined);
const cert = pem(config.MQTT_CLIENT_CERT, config.MQTT_CLIENT_CERT_FILE);
const key = pem(config.MQTT_CLIENT_KEY, config.MQTT_CLIENT_KEY_FILE);
const ca = config.MQTT_CA_FILE ? readFileSync(config.MQTT_CA_FILE) : undefined;
if (!(username && password) && !(cert && key))
  throw new Error('the gateway needs GATEWAY_MQTT_USERNAME/PASSWORD or its MQTT client certificate and key');

const gateway = await startGateway({
  port: config.OCPP_PORT,
  host: config.OCPP_HOST,
  credentials: tableCredentialLookup(table),
  upstream: mqttUpstream({
    url: config.MQTT_URL,
    ...(username && password ? { credentials: async () => ({ username, password }) } : {}),
    ...(cert && key ? { clientCertificate: { cert, key, ...(ca ? { ca } : {}) } } : {}),
    route: { basicIngestStage: config.BASIC_INGEST_STAGE },
    log,
  }),
  cloudAnswerTimeoutMs: config.CLOUD_ANSWER_TIMEOUT_MS,
  chargerCallTimeoutMs: config.CHARGER_CALL_TIMEOUT_MS,
  pingIntervalMs: config.PING_INTERVAL_MS,
  ...(config.OCPP_TLS_CERT_FILE && config.OCPP_TLS_KEY_FILE
    ? { tls: { cert: readFileSync(config.OCPP_TLS_CERT_FILE), key: readFileSync(config.OCPP_TLS_KEY_FILE) } }
    : {}),
  log,
});
log.info('ocpp gateway listening', { url: `${gateway.urlFor('')}{chargerId}` });
const metrics = logProcessMetrics(log, () => gateway.connectedChargers().length, config.METRICS_INTERVAL_MS);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info('ocpp gateway stopping', { signal });
    metrics.stop();
    void gateway.close().then(() => process.exit(0));
  });
}
