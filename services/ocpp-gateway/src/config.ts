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
  CLOUD_ANSWER_TIMEOUT_MS: positiveMs.default(20_000),
  CHARGER_CALL_TIMEOUT_MS: positiveMs.default(30_000),
  PING_INTERVAL_MS: positiveMs.default(30_000),
});

export type GatewayConfig = z.infer<typeof envSchema>;

export function gatewayConfigFrom(env: NodeJS.ProcessEnv): GatewayConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`bad gateway setting ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}
