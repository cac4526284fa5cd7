import * as z from 'zod';

// The gateway's settings, from the environment (README.md lists them).

const positiveMs = z.coerce.number().int().positive();

const envSchema = z.object({
  OCPP_PORT: z.coerce.number().int().min(0).max(65_535).default(8180),
  OCPP_HOST: z.string().min(1).default('127.0.0.1'),
  MQTT_URL: z.string().min(1).default('mqtt://127.0.0.1:1883'),
  TABLE_NAME: z.string().min(1).default('ev-charging-local'),
  /** The broker credential the gateway acts with for its chargers (see README, "Upstream identity"). */
  GATEWAY_MQTT_USERNAME: z.string().min(1).optional(),
  GATEWAY_MQTT_PASSWORD: z.string().min(1).optional(),
  /** Or the gateway's X.509 certificate for IoT Core: PEM in the variable (a container secret) or a file (a site). */
  MQTT_CLIENT_CERT: z.string().min(1).optional(),
  MQTT_CLIENT_KEY: z.string().min(1).optional(),
  MQTT_CLIENT_CERT_FILE: z.string().min(1).optional(),
  MQTT_CLIENT_KEY_FILE: z.string().min(1).optional(),
  MQTT_CA_FILE: z.string().min(1).optional(),
  /** PEM files: set both and the gateway terminates TLS itself (wss://, OCPP security profile 2). */
  OCPP_TLS_CERT_FILE: z.string().min(1).optional(),
  OCPP_TLS_KEY_FILE: z.string().min(1).optional(),
  CLOUD_ANSWER_TIMEOUT_MS: positiveMs.default(20_000),
  CHARGER_CALL_TIMEOUT_MS: positiveMs.default(30_000),
  PING_INTERVAL_MS: positiveMs.default(30_000),
  /** One `gateway metrics` log line this often: chargers held, event-loop delay, memory. */
  METRICS_INTERVAL_MS: positiveMs.default(60_000),
});

export type GatewayConfig = z.infer<typeof envSchema>;

export function gatewayConfigFrom(env: NodeJS.ProcessEnv): GatewayConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`bad gateway setting ${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (Boolean(result.data.OCPP_TLS_CERT_FILE) !== Boolean(result.data.OCPP_TLS_KEY_FILE))
    throw new Error('bad gateway setting: OCPP_TLS_CERT_FILE and OCPP_TLS_KEY_FILE go together');
  return result.data;
}
