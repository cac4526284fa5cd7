import {
  type CloudTopicKind,
  chargerTopic,
  cloudToDeviceTopics,
  cloudTopicSchemas,
  deviceTopic,
  type IngestRoute,
  parseChargerTopic,
} from '@evcharge/domain';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import type { UpstreamConnector, UpstreamCredentialSource, UpstreamLink } from './upstream.js';

/** The cloud → charger topics the gateway maps; `auth/response` is v1 only, which OCPP never uses. */
export const subscribedCloudTopics = (Object.keys(cloudToDeviceTopics) as CloudTopicKind[]).filter(
  (kind) => kind !== 'authResponse',
);

export interface MqttUpstreamOptions {
  url: string;
  /** Username/password (the local broker, or IoT Core behind a custom authorizer). */
  credentials?: UpstreamCredentialSource;
  /** An X.509 client certificate (IoT Core over mqtts://): the gateway's own, attached to its chargers' things. */
  clientCertificate?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  log: Logger;
  connectTimeoutMs?: number;
  /** Heartbeats and readings through IoT Basic Ingest when it names a stage (contract: basic-ingest.ts). */
  route?: IngestRoute;
}

/** One MQTT connection per charger, client id = chargerId, QoS 1 both ways. */
export function mqttUpstream(options: MqttUpstreamOptions): UpstreamConnector {
  return {
    async connect(chargerId) {
      const credentials = await options.credentials?.(chargerId);
      const client = await connectAsync(options.url, {
        clientId: chargerId,
        ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
        ...options.clientCertificate,
        // A lost link closes the charger's socket; the charger reconnects, and so does this link.
        reconnectPeriod: 0,
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        clean: true,
      });
      const topics = subscribedCloudTopics.map((kind) => chargerTopic(kind, chargerId));
      const granted = await grantedQos(client, topics);
      granted.forEach((qos, index) => {
        // A topic the broker refuses is logged, not fatal: the rest of the charger's traffic still flows.
        if (qos === 128) options.log.warn('cloud topic not granted', { chargerId, topic: topics[index] });
      });

      let closing = false;
      const cloudListeners: ((kind: CloudTopicKind, payload: unknown) => void)[] = [];
      const lostListeners: ((reason: string) => void)[] = [];
      client.on('message', (topic, body) => {
        const parsed = parseChargerTopic(topic);
        if (!parsed || parsed.chargerId !== chargerId || !(parsed.kind in cloudTopicSchemas)) return;
        const kind = parsed.kind as CloudTopicKind;
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          options.log.warn('cloud message is not JSON; dropped', { chargerId, topic });
          return;
        }
        const result = cloudTopicSchemas[kind].safeParse(json);
        if (!result.success) {
          options.log.warn('cloud message breaks its schema; dropped', {
            chargerId,
            topic,
            issue: result.error.issues[0]?.path.join('.') ?? '',
          });
          return;
        }
        for (const listener of cloudListeners) listener(kind, result.data);
      });
      client.once('close', () => {
        if (closing) return;
        closing = true;
        for (const listener of lostListeners) listener('mqtt connection lost');
      });

      const link: UpstreamLink = {
        async publish(kind, payload) {
          await client.publishAsync(deviceTopic(kind, chargerId, options.route), JSON.stringify(payload), {
            qos: 1,
          });
        },
        onCloudMessage: (listener) => void cloudListeners.push(listener),
        onLost: (listener) => void lostListeners.push(listener),
        async close() {
          if (closing) return;
          closing = true;
          await client.endAsync().catch(() => undefined);
        },
      };
      return link;
    },
  };
}

/** The SUBACK codes (128 = refused); mqtt.js rejects when any topic is refused, so read them from the packet. */
async function grantedQos(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((grant) => grant.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted;
  }
}
