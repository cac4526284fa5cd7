import type * as z from 'zod/mini';
import {
  authRequestPayloadSchema,
  authResponsePayloadSchema,
  heartbeatPayloadSchema,
  meterRequestPayloadSchema,
  plugPayloadSchema,
} from './device.js';
import {
  authorizePayloadSchema,
  authorizeResponsePayloadSchema,
  bootPayloadSchema,
  bootResponsePayloadSchema,
  commandPayloadSchema,
  commandResponsePayloadSchema,
  diagnosticsStatusPayloadSchema,
  firmwareStatusPayloadSchema,
  remoteResponsePayloadSchema,
  remoteStartPayloadSchema,
  remoteStopPayloadSchema,
  statusPayloadSchema,
  transactionStartPayloadSchema,
  transactionStartResponsePayloadSchema,
  transactionStopPayloadSchema,
  transactionStopResponsePayloadSchema,
} from './device-v2.js';
import { meterTopicPayloadSchema } from './meter-values.js';
import type { CloudTopicKind, DeviceTopicKind } from './topics.js';

/** The payload schema of every device → cloud topic: what its rule's function parses. */
export const deviceTopicSchemas = {
  authRequest: authRequestPayloadSchema,
  heartbeat: heartbeatPayloadSchema,
  // v1 (`energy`) or v2 (OCPP MeterValues, `meterValue`).
  meter: meterTopicPayloadSchema,
  plug: plugPayloadSchema,
  boot: bootPayloadSchema,
  authorize: authorizePayloadSchema,
  status: statusPayloadSchema,
  transactionStart: transactionStartPayloadSchema,
  transactionStop: transactionStopPayloadSchema,
  firmwareStatus: firmwareStatusPayloadSchema,
  diagnosticsStatus: diagnosticsStatusPayloadSchema,
  commandResponse: commandResponsePayloadSchema,
  remoteResponse: remoteResponsePayloadSchema,
} as const satisfies Record<DeviceTopicKind, z.ZodMiniType>;

/** The payload schema of every cloud → device topic: what a charger (or the gateway) parses. */
export const cloudTopicSchemas = {
  authResponse: authResponsePayloadSchema,
  meterRequest: meterRequestPayloadSchema,
  bootResponse: bootResponsePayloadSchema,
  authorizeResponse: authorizeResponsePayloadSchema,
  transactionStartResponse: transactionStartResponsePayloadSchema,
  transactionStopResponse: transactionStopResponsePayloadSchema,
  remoteStart: remoteStartPayloadSchema,
  remoteStop: remoteStopPayloadSchema,
  command: commandPayloadSchema,
} as const satisfies Record<CloudTopicKind, z.ZodMiniType>;
