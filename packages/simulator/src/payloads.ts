import { randomUUID } from 'node:crypto';
import {
  type AuthRequestPayload,
  authRequestPayloadSchema,
  type ChargePointErrorCode,
  type ChargePointStatus,
  type commandStatuses,
  type DeviceTopicKind,
  deviceTopicSchemas,
  type diagnosticsStatuses,
  type firmwareStatuses,
  type HeartbeatPayload,
  heartbeatPayloadSchema,
  type MeterContext,
  type MeterPayload,
  meterPayloadSchema,
  type PlugEventKind,
  type PlugPayload,
  parseOrThrow,
  plugPayloadSchema,
  type remoteStartStopStatuses,
  type StopReason,
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

export interface ReadingInput {
  connectorId: number;
  sessionId?: string;
  at: Date;
  registerWh: number;
  unit: RegisterUnit;
  powerW: number;
  context: MeterContext;
  requestId?: string;
}

export function meterReading(input: ReadingInput): DeviceMessage {
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

// ---- v2 (OCPP 1.6 shaped) ----------------------------------------------------------------------------

/** A request and the requestId its answer will echo. */
export interface DeviceRequest {
  message: DeviceMessage;
  requestId: string;
}

function v2Message<Kind extends DeviceTopicKind>(
  kind: Kind,
  payload: Record<string, unknown>,
): DeviceMessage {
  return message(kind, parseOrThrow(deviceTopicSchemas[kind], payload) as object);
}

function v2Request<Kind extends DeviceTopicKind>(
  kind: Kind,
  payload: Record<string, unknown>,
): DeviceRequest {
  const requestId = randomUUID();
  return { message: v2Message(kind, { requestId, ...payload }), requestId };
}

type RemoteStartStopStatus = (typeof remoteStartStopStatuses)[number];
type CommandStatus = (typeof commandStatuses)[number];
type FirmwareStatus = (typeof firmwareStatuses)[number];
type DiagnosticsStatus = (typeof diagnosticsStatuses)[number];

export const SIMULATOR_VENDOR = 'EVCharge Sim';
export const SIMULATOR_MODEL = 'SIM-2C-22';

export function boot(input: { serial: string; firmware: string; at: Date }): DeviceRequest {
  return v2Request('boot', {
    chargePointVendor: SIMULATOR_VENDOR,
    chargePointModel: SIMULATOR_MODEL,
    chargePointSerialNumber: input.serial,
    firmwareVersion: input.firmware,
    at: input.at.toISOString(),
  });
}

export function authorizeIdTag(input: { idTag: string; at: Date }): DeviceRequest {
  return v2Request('authorize', { idTag: input.idTag, at: input.at.toISOString() });
}

export function connectorStatus(input: {
  connectorId: number;
  status: ChargePointStatus;
  errorCode?: ChargePointErrorCode;
  info?: string;
  at: Date;
}): DeviceMessage {
  return v2Message('status', {
    messageId: randomUUID(),
    connectorId: input.connectorId,
    status: input.status,
    errorCode: input.errorCode ?? 'NoError',
    ...(input.info ? { info: input.info } : {}),
    at: input.at.toISOString(),
  });
}

export function transactionStart(input: {
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  at: Date;
}): DeviceRequest {
  return v2Request('transactionStart', {
    connectorId: input.connectorId,
    idTag: input.idTag,
    meterStart: Math.floor(input.meterStartWh),
    at: input.at.toISOString(),
  });
}

export function transactionStop(input: {
  transactionId: number;
  meterStopWh: number;
  reason: StopReason;
  idTag?: string;
  at: Date;
}): DeviceRequest {
  return v2Request('transactionStop', {
    transactionId: input.transactionId,
    meterStop: Math.floor(input.meterStopWh),
    reason: input.reason,
    ...(input.idTag ? { idTag: input.idTag } : {}),
    at: input.at.toISOString(),
  });
}

export function remoteResponse(input: {
  requestId: string;
  status: RemoteStartStopStatus;
  at: Date;
}): DeviceMessage {
  return v2Message('remoteResponse', { ...input, at: input.at.toISOString() });
}

export function commandResponse(input: {
  requestId: string;
  status: CommandStatus;
  payload?: Record<string, unknown>;
  at: Date;
}): DeviceMessage {
  return v2Message('commandResponse', {
    requestId: input.requestId,
    status: input.status,
    ...(input.payload ? { payload: input.payload } : {}),
    at: input.at.toISOString(),
  });
}

export function firmwareStatus(input: { status: FirmwareStatus; at: Date }): DeviceMessage {
  return v2Message('firmwareStatus', {
    messageId: randomUUID(),
    status: input.status,
    at: input.at.toISOString(),
  });
}

export function diagnosticsStatus(input: { status: DiagnosticsStatus; at: Date }): DeviceMessage {
  return v2Message('diagnosticsStatus', {
    messageId: randomUUID(),
    status: input.status,
    at: input.at.toISOString(),
  });
}

/**
 * A v2 reading: OCPP MeterValues (one MeterValue: the register, the power and the voltage, the last stored
 * but driving nothing), linked to its transaction by transactionId and, when the cloud gave one, sessionId.
 */
export function meterValues(input: ReadingInput & { transactionId?: number }): DeviceMessage {
  const sampled = (value: string, measurand: string, unit: string, extra: object = {}) => ({
    value,
    context: input.context,
    format: 'Raw',
    measurand,
    location: 'Outlet',
    unit,
    ...extra,
  });
  return v2Message('meter', {
    messageId: randomUUID(),
    connectorId: input.connectorId,
    ...(input.transactionId !== undefined ? { transactionId: input.transactionId } : {}),
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    ...(input.requestId ? { requestId: input.requestId } : {}),
    meterValue: [
      {
        timestamp: input.at.toISOString(),
        sampledValue: [
          sampled(
            String(registerValue(input.registerWh, input.unit)),
            'Energy.Active.Import.Register',
            input.unit,
          ),
          sampled(String(Math.round(input.powerW)), 'Power.Active.Import', 'W'),
          sampled((228 + (input.powerW % 50) / 10).toFixed(1), 'Voltage', 'V', { phase: 'L1-N' }),
        ],
      },
    ],
  });
}
