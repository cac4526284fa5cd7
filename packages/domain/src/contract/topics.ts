import { chargerIdSchema } from './primitives.js';

/** Every topic of the v1 contract, by direction. `{chargerId}` is the only placeholder. */
export const deviceToCloudTopics = {
  authRequest: 'chargers/{chargerId}/auth/request',
  heartbeat: 'chargers/{chargerId}/heartbeat',
  meter: 'chargers/{chargerId}/meter',
  plug: 'chargers/{chargerId}/plug',
} as const;

export const cloudToDeviceTopics = {
  authResponse: 'chargers/{chargerId}/auth/response',
  meterRequest: 'chargers/{chargerId}/meter/request',
} as const;

export const presenceTopics = {
  connected: '$aws/events/presence/connected/{clientId}',
  disconnected: '$aws/events/presence/disconnected/{clientId}',
} as const;

export type DeviceTopicKind = keyof typeof deviceToCloudTopics;
export type CloudTopicKind = keyof typeof cloudToDeviceTopics;
export type ChargerTopicKind = DeviceTopicKind | CloudTopicKind;

const allChargerTopics: Record<ChargerTopicKind, string> = { ...deviceToCloudTopics, ...cloudToDeviceTopics };

export function chargerTopic(kind: ChargerTopicKind, chargerId: string): string {
  return allChargerTopics[kind].replace('{chargerId}', chargerIdSchema.parse(chargerId));
}

export interface ParsedChargerTopic {
  chargerId: string;
  kind: ChargerTopicKind;
}

/** Parses a concrete charger topic; undefined for anything outside the contract. */
export function parseChargerTopic(topic: string): ParsedChargerTopic | undefined {
  const levels = topic.split('/');
  if (levels[0] !== 'chargers' || levels.length < 3) return undefined;
  const chargerId = levels[1] ?? '';
  if (!chargerIdSchema.safeParse(chargerId).success) return undefined;
  const suffix = levels.slice(2).join('/');
  for (const [kind, template] of Object.entries(allChargerTopics)) {
    if (template === `chargers/{chargerId}/${suffix}`) return { chargerId, kind: kind as ChargerTopicKind };
  }
  return undefined;
}

/** What a charger may publish and subscribe to: its own device topics up, its own command topics down. */
export function chargerTopicPermissions(chargerId: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: Object.keys(deviceToCloudTopics).map((kind) => chargerTopic(kind as DeviceTopicKind, chargerId)),
    subscribe: Object.keys(cloudToDeviceTopics).map((kind) =>
      chargerTopic(kind as CloudTopicKind, chargerId),
    ),
  };
}
