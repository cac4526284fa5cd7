import { chargerIdSchema } from './primitives.js';

/** Every topic of the contract (v1, then v2), by direction. `{chargerId}` is the only placeholder. */
export const deviceToCloudTopics = {
  authRequest: 'chargers/{chargerId}/auth/request',
  heartbeat: 'chargers/{chargerId}/heartbeat',
  meter: 'chargers/{chargerId}/meter',
  plug: 'chargers/{chargerId}/plug',
  boot: 'chargers/{chargerId}/boot',
  authorize: 'chargers/{chargerId}/authorize',
  status: 'chargers/{chargerId}/status',
  transactionStart: 'chargers/{chargerId}/transaction/start',
  transactionStop: 'chargers/{chargerId}/transaction/stop',
  firmwareStatus: 'chargers/{chargerId}/firmware-status',
  diagnosticsStatus: 'chargers/{chargerId}/diagnostics-status',
  commandResponse: 'chargers/{chargerId}/command/response',
  remoteResponse: 'chargers/{chargerId}/remote/response',
} as const;

export const cloudToDeviceTopics = {
  authResponse: 'chargers/{chargerId}/auth/response',
  meterRequest: 'chargers/{chargerId}/meter/request',
  bootResponse: 'chargers/{chargerId}/boot/response',
  authorizeResponse: 'chargers/{chargerId}/authorize/response',
  transactionStartResponse: 'chargers/{chargerId}/transaction/start/response',
  transactionStopResponse: 'chargers/{chargerId}/transaction/stop/response',
  remoteStart: 'chargers/{chargerId}/remote/start',
  remoteStop: 'chargers/{chargerId}/remote/stop',
  command: 'chargers/{chargerId}/command',
} as const;

export const presenceTopics = {
  connected: '$aws/events/presence/connected/{clientId}',
  disconnected: '$aws/events/presence/disconnected/{clientId}',
} as const;

export type DeviceTopicKind = keyof typeof deviceToCloudTopics;
export type CloudTopicKind = keyof typeof cloudToDeviceTopics;

/**
 * The topics a charger is granted today: those a service routes or answers. A v2 topic joins when its
 * service lands, so a charger never publishes into a topic no rule reads. The per-topic IoT policies (one
 * for publishing, one for commands) each stay within IoT Core's 2,048-character limit (a test holds them).
 */
export const grantedDeviceTopics: readonly DeviceTopicKind[] = [
  'authRequest',
  'heartbeat',
  'meter',
  'plug',
  'boot',
  'authorize',
  'status',
  'transactionStart',
  'transactionStop',
  'commandResponse',
  'firmwareStatus',
  'diagnosticsStatus',
  'remoteResponse',
];
export const grantedCloudTopics: readonly CloudTopicKind[] = [
  'authResponse',
  'meterRequest',
  'bootResponse',
  'authorizeResponse',
  'transactionStartResponse',
  'transactionStopResponse',
  'command',
  'remoteStart',
  'remoteStop',
];
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
