import * as z from 'zod/mini';
import { pure } from '../pure.js';
import {
  connectorIdSchema,
  idTagSchema,
  isoTimestampSchema,
  storableMeasurementSchema,
  uuidSchema,
} from './primitives.js';

// Device → cloud payloads. Strict: an unknown field is bad input, never silently ignored.

export const authRequestPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    at: isoTimestampSchema,
  }),
);
export type AuthRequestPayload = z.infer<typeof authRequestPayloadSchema>;

export const heartbeatPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    at: isoTimestampSchema,
    firmware: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    intervalS: z.optional(z.int().check(z.gte(10), z.lte(86_400))),
  }),
);
export type HeartbeatPayload = z.infer<typeof heartbeatPayloadSchema>;

export const energyUnits = ['Wh', 'kWh'] as const;
export const meterContexts = [
  'Sample.Periodic',
  'Sample.Clock',
  'Trigger',
  'Transaction.Begin',
  'Transaction.End',
] as const;
export type MeterContext = (typeof meterContexts)[number];

/** A requestId only makes sense on a reading that answers a user's request. */
export const requestIdOnlyOnTrigger = {
  check: (reading: { context: MeterContext; requestId?: string | undefined }) =>
    reading.context === 'Trigger' || reading.requestId === undefined,
  params: { message: 'requestId is only allowed with context "Trigger"', path: ['requestId'] },
};

export const meterPayloadSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      messageId: uuidSchema,
      connectorId: connectorIdSchema,
      sessionId: z.optional(uuidSchema),
      at: isoTimestampSchema,
      energy: z.strictObject({
        // A cumulative register: never negative; 1e12 Wh is far beyond any real meter.
        value: storableMeasurementSchema.check(z.lte(1e12)),
        unit: z.enum(energyUnits),
      }),
      powerW: z.optional(storableMeasurementSchema.check(z.lte(10_000_000))),
      context: z.enum(meterContexts),
      requestId: z.optional(uuidSchema),
    })
    .check(z.refine(requestIdOnlyOnTrigger.check, requestIdOnlyOnTrigger.params)),
);
export type MeterPayload = z.infer<typeof meterPayloadSchema>;

export const plugEvents = ['plugged', 'unplugged'] as const;
export type PlugEventKind = (typeof plugEvents)[number];

export const plugPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    messageId: uuidSchema,
    connectorId: connectorIdSchema,
    event: z.enum(plugEvents),
    at: isoTimestampSchema,
  }),
);
export type PlugPayload = z.infer<typeof plugPayloadSchema>;

// Cloud → device payloads.

export const authStatuses = [
  'Accepted',
  'Blocked',
  'Expired',
  'Invalid',
  'ConcurrentTx',
  'Unavailable',
] as const;
export type AuthStatus = (typeof authStatuses)[number];

export const unavailableReasons = [
  'connector-unknown',
  'connector-faulted',
  'connector-unavailable',
  'connector-busy',
] as const;
export type UnavailableReason = (typeof unavailableReasons)[number];

export const authResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      requestId: uuidSchema,
      status: z.enum(authStatuses),
      sessionId: z.optional(uuidSchema),
      reason: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
      at: isoTimestampSchema,
    })
    .check(
      z.refine((response) => (response.status === 'Accepted') === (response.sessionId !== undefined), {
        message: 'sessionId is present exactly when status is Accepted',
        path: ['sessionId'],
      }),
    ),
);
export type AuthResponsePayload = z.infer<typeof authResponsePayloadSchema>;

export const meterRequestPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    connectorId: connectorIdSchema,
    at: isoTimestampSchema,
  }),
);
export type MeterRequestPayload = z.infer<typeof meterRequestPayloadSchema>;
