import {
  type ChargePointStatus,
  chargePointStatuses,
  deviceTopicSchemas,
  type MeterValue,
  powerSampleOf,
  registerSampleOf,
} from '@evcharge/domain';

// What the detectors read, normalised from the analysis rules' events (meter v1/v2, status, lifecycle).
// Each observation has a `key`: the same message delivered twice gives the same key, so it counts once.

export interface MeterObservation {
  type: 'meter';
  key: string;
  chargerId: string;
  connectorId: number;
  /** Device time of the sample, epoch ms. */
  at: number;
  registerWh?: number;
  powerW?: number;
}

export interface StatusObservation {
  type: 'status';
  key: string;
  chargerId: string;
  connectorId: number;
  at: number;
  status: ChargePointStatus;
}

export interface PresenceObservation {
  type: 'presence';
  key: string;
  chargerId: string;
  eventType: 'connected' | 'disconnected';
  versionNumber: number;
  /** IoT Core's event time, epoch ms. */
  at: number;
}

export type Observation = MeterObservation | StatusObservation | PresenceObservation;

type Json = Record<string, unknown>;
type RawMeterValue = { timestamp?: unknown; sampledValue?: Record<string, unknown>[] };
const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const time = (value: unknown) => {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
};

/**
 * The observations in one analysis rule event (the archive's record shape: payload fields plus chargerId,
 * clientId, topic, receivedAt). A reading or status whose payload breaks the contract gives none, as the services
 * refuse it (dead letter): a deliberately bad register must not look like a meter running wild.
 */
export function observationsOf(event: Json): Observation[] {
  const chargerId = text(event.chargerId);
  const topic = text(event.topic) ?? '';
  if (!chargerId) return [];
  if (topic.startsWith('$aws/events/presence/')) return presenceOf(event, chargerId);
  if (topic.endsWith('/status')) return keepsContract('status', event) ? statusOf(event, chargerId) : [];
  if (topic.endsWith('/meter')) return keepsContract('meter', event) ? meterOf(event, chargerId) : [];
  return [];
}

/** Whether the payload (the event without the rule's envelope) is what the contract allows on its topic. */
function keepsContract(kind: 'meter' | 'status', event: Json): boolean {
  const {
    chargerId: _chargerId,
    clientId: _clientId,
    topic: _topic,
    receivedAt: _receivedAt,
    ...payload
  } = event;
  return deviceTopicSchemas[kind].safeParse(payload).success;
}

function presenceOf(event: Json, chargerId: string): PresenceObservation[] {
  const eventType = event.eventType;
  const at = count(event.timestamp);
  const versionNumber = count(event.versionNumber);
  const session = text(event.sessionIdentifier);
  if ((eventType !== 'connected' && eventType !== 'disconnected') || at === undefined) return [];
  return [
    {
      type: 'presence',
      key: `${session ?? at}#${eventType}`,
      chargerId,
      eventType,
      versionNumber: versionNumber ?? 0,
      at,
    },
  ];
}

function statusOf(event: Json, chargerId: string): StatusObservation[] {
  const connectorId = count(event.connectorId);
  const at = time(event.at);
  const status = event.status as ChargePointStatus;
  if (connectorId === undefined || at === undefined || !chargePointStatuses.includes(status)) return [];
  return [
    {
      type: 'status',
      key: text(event.messageId) ?? `${connectorId}#${at}`,
      chargerId,
      connectorId,
      at,
      status,
    },
  ];
}

function meterOf(event: Json, chargerId: string): MeterObservation[] {
  const connectorId = count(event.connectorId);
  // Connector 0 is the charger's main meter, and a v2 reading without a connector names only its transaction.
  if (connectorId === undefined || connectorId === 0) return [];
  const messageId = text(event.messageId) ?? 'no-message-id';
  if (Array.isArray(event.meterValue)) {
    return (event.meterValue as RawMeterValue[]).flatMap((meterValue) => {
      const at = time(meterValue?.timestamp);
      if (at === undefined || !Array.isArray(meterValue.sampledValue)) return [];
      // OCPP's defaults, as the contract's schema applies them (the rule forwards the payload as sent).
      const withDefaults = {
        ...meterValue,
        sampledValue: meterValue.sampledValue.map((sampled) => {
          const measurand = String(sampled.measurand ?? 'Energy.Active.Import.Register');
          const unit = sampled.unit ?? (measurand.startsWith('Energy.') ? 'Wh' : undefined);
          return { location: 'Outlet', format: 'Raw', ...sampled, measurand, ...(unit ? { unit } : {}) };
        }),
      } as unknown as MeterValue;
      const register = registerSampleOf(withDefaults)?.value;
      const power = powerSampleOf(withDefaults)?.value;
      return [reading(messageId, chargerId, connectorId, at, register, power, String(meterValue.timestamp))];
    });
  }
  const energy = event.energy as { value?: unknown; unit?: unknown } | undefined;
  const at = time(event.at);
  const value = count(energy?.value);
  if (at === undefined) return [];
  const register = value === undefined ? undefined : energy?.unit === 'kWh' ? value * 1000 : value;
  return [reading(messageId, chargerId, connectorId, at, register, count(event.powerW), '')];
}

function reading(
  messageId: string,
  chargerId: string,
  connectorId: number,
  at: number,
  registerWh: number | undefined,
  powerW: number | undefined,
  sample: string,
): MeterObservation {
  return {
    type: 'meter',
    key: `${messageId}#${sample}`,
    chargerId,
    connectorId,
    at,
    ...(registerWh !== undefined && Number.isFinite(registerWh) ? { registerWh } : {}),
    ...(powerW !== undefined && Number.isFinite(powerW) ? { powerW } : {}),
  };
}
