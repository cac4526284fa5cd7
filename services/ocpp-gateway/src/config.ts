import { pure } from '@evcharge/domain';
import * as z from 'zod/mini';

// The gateway's settings, from the environment (README.md lists them).

const positiveMs = /* @__PURE__ */ pure(() => z.coerce.number().check(z.int(), z.positive()));

const envSchema = /* @__PURE__ */ pure(() =>
  z.object({
    OCPP_PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65_535)), 8180),
    OCPP_HOST: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
    MQTT_URL: z._default(z.string().check(z.minLength(1)), 'mqtt://127.0.0.1:1883'),
    TABLE_NAME: z._default(z.string().check(z.minLength(1)), 'ev-charging-local'),
    /** The broker credential the gateway acts with for its chargers (see README, "Upstream identity"). */
    GATEWAY_MQTT_USERNAME: z.optional(z.string().check(z.minLength(1))),
    GATEWAY_MQTT_PASSWORD: z.optional(z.string().check(z.minLength(1))),
    /** Or the gateway's X.509 certificate for IoT Core: PEM in the variable (a container secret) or a file (a site). */
    MQTT_CLIENT_CERT: z.optional(z.string().check(z.minLength(1))),
    MQTT_CLIENT_KEY: z.optional(z.string().check(z.minLength(1))),
    MQTT_CLIENT_CERT_FILE: z.optional(z.string().check(z.minLength(1))),
    MQTT_CLIENT_KEY_FILE: z.optional(z.string().check(z.minLength(1))),
    MQTT_CA_FILE: z.optional(z.string().check(z.minLength(1))),
    /** PEM files: set both and the gateway terminates TLS itself (wss://, OCPP security profile 2). */
    OCPP_TLS_CERT_FILE: z.optional(z.string().check(z.minLength(1))),
    OCPP_TLS_KEY_FILE: z.optional(z.string().check(z.minLength(1))),
    CLOUD_ANSWER_TIMEOUT_MS: z._default(positiveMs, 20_000),
    CHARGER_CALL_TIMEOUT_MS: z._default(positiveMs, 30_000),
    PING_INTERVAL_MS: z._default(positiveMs, 30_000),
    /** The deploy's stage: heartbeats and meter readings go through IoT Basic Ingest to that stage's rules. Unset: all through the broker. */
    BASIC_INGEST_STAGE: z.optional(z.string().check(z.regex(/^[a-zA-Z0-9_-]+$/))),
    /** One `gateway metrics` log line this often: chargers held, event-loop delay, memory. */
    METRICS_INTERVAL_MS: z._default(positiveMs, 60_000),
  }),
);

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
