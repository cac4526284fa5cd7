import { randomUUID } from 'node:crypto';
import {
  type AuthRequestPayload,
  authRequestPayloadSchema,
  type DeviceTopicKind,
  type HeartbeatPayload,
  heartbeatPayloadSchema,
  type MeterContext,
  type MeterPayload,
  meterPayloadSchema,
  type PlugEventKind,
  type PlugPayload,
  parseOrThrow,
  plugPayloadSchema,
} from '@evcharge/domain';

// Every payload a simulated charger sends is built here and validated against the contract schema
// before it leaves, so a dead letter can only come from the deliberate bad inputs below.

export interface DeviceMessage {
  kind: DeviceTopicKind;
  payload: string;
}

function message(kind: DeviceTopicKind, payload: object): DeviceMessage {
  return { kind, payload: JSON.stringify(payload) };
}

export function authRequest(input: { connectorId: number; idTag: string; at: Date }): {
  message: DeviceMessage;
  requestId: string;
} {
  const payload: AuthRequestPayload = parseOrThrow(authRequestPayloadSchema, {
    requestId: randomUUID(),
    connectorId: input.connectorId,
    idTag: input.idTag,
    at: input.at.toISOString(),
  });
  return { message: message('authRequest', payload), requestId: payload.requestId };
}

export function heartbeat(input: { at: Date; firmware: string }): DeviceMessage {
  const payload: HeartbeatPayload = parseOrThrow(heartbeatPayloadSchema, {
    at: input.at.toISOString(),
    firmware: input.firmware,
  });
  return message('heartbeat', payload);
}

export function plug(input: { connectorId: number; event: PlugEventKind; at: Date }): DeviceMessage {
  const payload: PlugPayload = parseOrThrow(plugPayloadSchema, {
    messageId: randomUUID(),
    connectorId: input.connectorId,
    event: input.event,
    at: input.at.toISOString(),
  });
  return message('plug', payload);
}

export type RegisterUnit = 'Wh' | 'kWh';

/** The register as the meter shows it: integer Wh, or kWh with three decimals. */
export function registerValue(registerWh: number, unit: RegisterUnit): number {
  return unit === 'Wh' ? Math.floor(registerWh) : Math.floor(registerWh) / 1000;
}

export function meterReading(input: {
  connectorId: number;
  sessionId?: string;
  at: Date;
  registerWh: number;
  unit: RegisterUnit;
  powerW: number;
  context: MeterContext;
  requestId?: string;
}): DeviceMessage {
  const payload: MeterPayload = parseOrThrow(meterPayloadSchema, {
    messageId: randomUUID(),
    connectorId: input.connectorId,
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    at: input.at.toISOString(),
    energy: { value: registerValue(input.registerWh, input.unit), unit: input.unit },
    powerW: Math.round(input.powerW),
    context: input.context,
    ...(input.requestId ? { requestId: input.requestId } : {}),
  });
  return message('meter', payload);
}

/** Deliberately bad inputs: each fails the contract schema, so the backend must dead-letter it once. */
export const badInputKinds = ['non-json', 'unknown-field', 'negative-energy', 'bad-timestamp'] as const;
export type BadInputKind = (typeof badInputKinds)[number];

/** Which device topic each bad input goes to, so a summary can match dead letters per function. */
export const badInputTopicKind: Record<BadInputKind, DeviceTopicKind> = {
  'non-json': 'heartbeat',
  'unknown-field': 'heartbeat',
  'negative-energy': 'meter',
  'bad-timestamp': 'plug',
};

export function badInput(kind: BadInputKind, input: { connectorId: number; at: Date }): DeviceMessage {
  const at = input.at.toISOString();
  switch (kind) {
    case 'non-json':
      return { kind: 'heartbeat', payload: '{"at": "not closed' };
    case 'unknown-field':
      // Not an envelope field (chargerId, clientId, receivedAt): the rule's SELECT would overwrite those.
      return message('heartbeat', { at, firmware: 'sim', temperatureC: 41 });
    case 'negative-energy':
      return message('meter', {
        messageId: randomUUID(),
        connectorId: input.connectorId,
        at,
        energy: { value: -5, unit: 'Wh' },
        context: 'Sample.Periodic',
      });
    case 'bad-timestamp':
      return message('plug', {
        messageId: randomUUID(),
        connectorId: input.connectorId,
        event: 'plugged',
        at: 'yesterday',
      });
  }
}
