import { randomUUID } from 'node:crypto';
import {
  type CloudTopicKind,
  chargerTopic,
  chargerTopicPermissions,
  cloudToDeviceTopics,
  type DeviceTopicKind,
  parseChargerTopic,
  powerSampleOf,
  registerSampleOf,
  toWattHours,
} from '@evcharge/domain';
import type { MqttClient } from 'mqtt';
import type { ChargerInjection } from '../../src/anomalies.js';
import {
  type ChargerConfig,
  type ChargerTiming,
  DEFAULT_TIMING,
  SimulatedCharger,
} from '../../src/charger.js';
import { ScaledClock } from '../../src/clock.js';
import { planIdTags } from '../../src/id-tags.js';
import { SeededRandom } from '../../src/random.js';
import { emptyStats } from '../../src/stats.js';
import { V2Charger } from '../../src/v2-charger.js';

// A charger without a network, for unit tests under fake timers: its MQTT client is a fake that records each
// publish and answers the requests the cloud answers (auth, boot, authorize, transaction start/stop) with
// Accepted, so the charger's own logic runs exactly as in a fleet.

export interface SentMessage {
  topic: string;
  payload: Record<string, unknown>;
  /** The fake clock when it was published, epoch ms. */
  publishedAtMs: number;
}

/** What a reading said, whichever generation of the contract it used. */
export interface ReadingOf {
  connectorId: number;
  atMs: number;
  registerWh: number;
  powerW: number;
  context: string;
}

type Constructor = new (config: ChargerConfig) => SimulatedCharger;

export interface OfflineCharger {
  charger: SimulatedCharger;
  sent: SentMessage[];
  /** Unclean drops and reconnects, in order. */
  links: ('dropped' | 'connected')[];
  readings(): ReadingOf[];
}

export function offlineCharger(options: {
  protocol: 'v1' | 'v2';
  timeFactor: number;
  seed?: number;
  timing?: Partial<ChargerTiming>;
  injection?: ChargerInjection;
  chargerId?: string;
}): OfflineCharger {
  const chargerId = options.chargerId ?? (options.protocol === 'v1' ? 'UNIT-001' : 'UNIT-002');
  const sent: SentMessage[] = [];
  const links: ('dropped' | 'connected')[] = [];
  const random = new SeededRandom(options.seed ?? 1);
  const kinds = (topics: string[]) => topics.map((topic) => parseChargerTopic(topic)?.kind);
  const permissions = chargerTopicPermissions(chargerId);
  const config: ChargerConfig = {
    index: 0,
    chargerId,
    password: 'unused',
    connectorCount: 2,
    mqttUrl: 'mqtt://unused',
    clock: new ScaledClock(options.timeFactor, () => Date.now()),
    random,
    badInputRandom: random.fork(1),
    stats: emptyStats({ v1: 1, v2: 0, ocpp: 0 }),
    plan: planIdTags('UNIT', 1),
    idTagMix: { valid: 1, blocked: 0, expired: 0, unknown: 0 },
    badInputRate: 0,
    offlineRate: 0,
    faultRate: 0,
    granted: {
      device: new Set(
        kinds(permissions.publish).filter(
          (kind): kind is DeviceTopicKind => !!kind && !(kind in cloudToDeviceTopics),
        ),
      ),
      cloud: new Set(
        kinds(permissions.subscribe).filter(
          (kind): kind is CloudTopicKind => !!kind && kind in cloudToDeviceTopics,
        ),
      ),
    },
    timing: { ...DEFAULT_TIMING, ...options.timing },
    log: () => undefined,
    onPublish: () => undefined,
    ...(options.injection ? { injection: options.injection } : {}),
  };
  const Base: Constructor = options.protocol === 'v1' ? SimulatedCharger : V2Charger;
  let transactionId = 0;

  class Offline extends (Base as typeof SimulatedCharger) {
    override async connect(): Promise<void> {
      links.push('connected');
      this.client = fakeClient((topic, payload) => {
        sent.push({ topic, payload, publishedAtMs: Date.now() });
        const answer = answerOf(topic, payload);
        // The cloud answers a little later, as a network would.
        if (answer)
          setTimeout(() => this.onMessage(answer.topic, Buffer.from(JSON.stringify(answer.body))), 50);
      });
      this.markConnected(true);
      this.onConnected();
    }

    protected override async dropUncleanly(): Promise<void> {
      links.push('dropped');
      await super.dropUncleanly();
    }
  }

  function answerOf(topic: string, payload: Record<string, unknown>) {
    const kind = parseChargerTopic(topic)?.kind;
    const at = new Date(Date.now()).toISOString();
    const requestId = payload.requestId as string;
    const to = (cloudKind: CloudTopicKind, body: object) => ({
      topic: chargerTopic(cloudKind, chargerId),
      body: { requestId, ...body, at },
    });
    switch (kind) {
      case 'authRequest':
        return to('authResponse', { status: 'Accepted', sessionId: randomUUID() });
      case 'boot':
        return to('bootResponse', {
          status: 'Accepted',
          currentTime: at,
          interval: 300,
          meterValueSampleInterval: 900,
        });
      case 'authorize':
        return to('authorizeResponse', { idTagInfo: { status: 'Accepted' } });
      case 'transactionStart':
        transactionId++;
        return to('transactionStartResponse', {
          transactionId,
          sessionId: randomUUID(),
          idTagInfo: { status: 'Accepted' },
        });
      case 'transactionStop':
        return to('transactionStopResponse', {});
      default:
        return undefined;
    }
  }

  const charger = new Offline(config);
  return {
    charger,
    sent,
    links,
    readings: () => sent.flatMap((message) => readingOf(message)),
  };
}

function fakeClient(onPublish: (topic: string, payload: Record<string, unknown>) => void): MqttClient {
  const client = {
    connected: true,
    publishAsync: async (topic: string, payload: string) => {
      onPublish(topic, JSON.parse(payload) as Record<string, unknown>);
      return undefined;
    },
    endAsync: async () => {
      client.connected = false;
    },
    subscribeAsync: async () => [],
    on: () => client,
    off: () => client,
  };
  return client as unknown as MqttClient;
}

/** A meter message's reading (v1 `energy`/`powerW`, or v2 MeterValues), none for any other topic. */
export function readingOf(message: SentMessage): ReadingOf[] {
  if (!message.topic.endsWith('/meter')) return [];
  const payload = message.payload;
  const connectorId = payload.connectorId as number;
  if (Array.isArray(payload.meterValue)) {
    return (payload.meterValue as Parameters<typeof registerSampleOf>[0][]).map((meterValue) => {
      return {
        connectorId,
        atMs: Date.parse(meterValue.timestamp),
        registerWh: Math.round(Number(registerSampleOf(meterValue)?.value)),
        powerW: Number(powerSampleOf(meterValue)?.value ?? 0),
        context: String(meterValue.sampledValue[0]?.context),
      };
    });
  }
  const energy = payload.energy as { value: number; unit: 'Wh' | 'kWh' };
  return [
    {
      connectorId,
      atMs: Date.parse(payload.at as string),
      registerWh: toWattHours(energy),
      powerW: Number(payload.powerW ?? 0),
      context: payload.context as string,
    },
  ];
}
