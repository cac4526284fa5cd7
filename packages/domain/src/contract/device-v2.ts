import * as z from 'zod/mini';
import { pure } from '../pure.js';
import {
  chargePointErrorCodes,
  chargePointStatuses,
  ciString,
  commandStatuses,
  connectorOrChargerIdSchema,
  diagnosticsStatuses,
  firmwareStatuses,
  idTagInfoSchema,
  messageTriggers,
  registrationStatuses,
  remoteStartStopStatuses,
  stopReasons,
  transactionIdSchema,
} from './ocpp.js';
import { connectorIdSchema, idTagSchema, isoTimestampSchema, uuidSchema } from './primitives.js';

// The v2 topics: what an OCPP 1.6 charger reports and can be asked, field names as OCPP has them.
// Request topics carry a requestId (answered on <topic>/response), reports a messageId; both follow the
// contract's idempotency rule. Strict: an unknown field is bad input.

// ---- Device → cloud -------------------------------------------------------------------------------

/** BootNotification.req. */
export const bootPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    chargePointVendor: ciString(20),
    chargePointModel: ciString(20),
    chargePointSerialNumber: z.optional(ciString(25)),
    chargeBoxSerialNumber: z.optional(ciString(25)),
    firmwareVersion: z.optional(ciString(50)),
    iccid: z.optional(ciString(20)),
    imsi: z.optional(ciString(20)),
    meterType: z.optional(ciString(25)),
    meterSerialNumber: z.optional(ciString(25)),
    at: isoTimestampSchema,
  }),
);
export type BootPayload = z.infer<typeof bootPayloadSchema>;

/** Authorize.req: an idTag alone, no connector. */
export const authorizePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    idTag: idTagSchema,
    at: isoTimestampSchema,
  }),
);
export type AuthorizePayload = z.infer<typeof authorizePayloadSchema>;

/** StatusNotification.req; connectorId 0 is the whole charger. */
export const statusPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    messageId: uuidSchema,
    connectorId: connectorOrChargerIdSchema,
    status: z.enum(chargePointStatuses),
    errorCode: z.enum(chargePointErrorCodes),
    info: z.optional(ciString(50)),
    vendorId: z.optional(ciString(255)),
    vendorErrorCode: z.optional(ciString(50)),
    at: isoTimestampSchema,
  }),
);
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/** Wh on a meter register: OCPP's `integer`, never negative. */
const meterRegisterWhSchema = /* @__PURE__ */ pure(() =>
  z.int().check(z.nonnegative(), z.lte(2_147_483_647)),
);

/** StartTransaction.req. */
export const transactionStartPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    meterStart: meterRegisterWhSchema,
    reservationId: z.optional(z.int()),
    at: isoTimestampSchema,
  }),
);
export type TransactionStartPayload = z.infer<typeof transactionStartPayloadSchema>;

/** StopTransaction.req; its transactionData never rides inside it (8 KB limit): it travels as `meter` messages. */
export const transactionStopPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    transactionId: transactionIdSchema,
    meterStop: meterRegisterWhSchema,
    reason: z.optional(z.enum(stopReasons)),
    idTag: z.optional(idTagSchema),
    at: isoTimestampSchema,
  }),
);
export type TransactionStopPayload = z.infer<typeof transactionStopPayloadSchema>;

/** FirmwareStatusNotification.req. */
export const firmwareStatusPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    messageId: uuidSchema,
    status: z.enum(firmwareStatuses),
    at: isoTimestampSchema,
  }),
);
export type FirmwareStatusPayload = z.infer<typeof firmwareStatusPayloadSchema>;

/** DiagnosticsStatusNotification.req. */
export const diagnosticsStatusPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    messageId: uuidSchema,
    status: z.enum(diagnosticsStatuses),
    at: isoTimestampSchema,
  }),
);
export type DiagnosticsStatusPayload = z.infer<typeof diagnosticsStatusPayloadSchema>;

/** The charger's answer to a `command`: the action's .conf status and, where it has more, its payload. */
export const commandResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    status: z.enum(commandStatuses),
    payload: z.optional(z.record(z.string(), z.unknown())),
    at: isoTimestampSchema,
  }),
);
export type CommandResponsePayload = z.infer<typeof commandResponsePayloadSchema>;

/** The charger's answer to `remote/start` or `remote/stop`. */
export const remoteResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    status: z.enum(remoteStartStopStatuses),
    at: isoTimestampSchema,
  }),
);
export type RemoteResponsePayload = z.infer<typeof remoteResponsePayloadSchema>;

// ---- Cloud → device --------------------------------------------------------------------------------

/** BootNotification.conf, plus the meter sample interval the gateway sets with ChangeConfiguration. */
export const bootResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    status: z.enum(registrationStatuses),
    currentTime: isoTimestampSchema,
    interval: z.int().check(z.gte(0), z.lte(86_400)),
    meterValueSampleInterval: z.int().check(z.gte(0), z.lte(86_400)),
    at: isoTimestampSchema,
  }),
);
export type BootResponsePayload = z.infer<typeof bootResponsePayloadSchema>;

/** Authorize.conf. */
export const authorizeResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    idTagInfo: idTagInfoSchema,
    at: isoTimestampSchema,
  }),
);
export type AuthorizeResponsePayload = z.infer<typeof authorizeResponsePayloadSchema>;

/** StartTransaction.conf: a transactionId and idTagInfo even when the start is refused (OCPP requires both). */
export const transactionStartResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    transactionId: transactionIdSchema,
    sessionId: z.optional(uuidSchema),
    idTagInfo: idTagInfoSchema,
    at: isoTimestampSchema,
  }),
);
export type TransactionStartResponsePayload = z.infer<typeof transactionStartResponsePayloadSchema>;

/** StopTransaction.conf; idTagInfo when the stop named an idTag. */
export const transactionStopResponsePayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    idTagInfo: z.optional(idTagInfoSchema),
    at: isoTimestampSchema,
  }),
);
export type TransactionStopResponsePayload = z.infer<typeof transactionStopResponsePayloadSchema>;

/** RemoteStartTransaction.req; dropped by the charger (or gateway) once expiresAt has passed. */
export const remoteStartPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    connectorId: connectorIdSchema,
    idTag: idTagSchema,
    expiresAt: isoTimestampSchema,
    at: isoTimestampSchema,
  }),
);
export type RemoteStartPayload = z.infer<typeof remoteStartPayloadSchema>;

/** RemoteStopTransaction.req. */
export const remoteStopPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    requestId: uuidSchema,
    transactionId: transactionIdSchema,
    sessionId: uuidSchema,
    expiresAt: isoTimestampSchema,
    at: isoTimestampSchema,
  }),
);
export type RemoteStopPayload = z.infer<typeof remoteStopPayloadSchema>;

/** Each operator action and its OCPP .req payload. */
export const commandPayloadsByAction = /* @__PURE__ */ pure(
  () =>
    ({
      Reset: z.strictObject({ type: z.enum(['Hard', 'Soft']) }),
      UnlockConnector: z.strictObject({ connectorId: connectorIdSchema }),
      ChangeAvailability: z.strictObject({
        connectorId: connectorOrChargerIdSchema,
        type: z.enum(['Inoperative', 'Operative']),
      }),
      GetConfiguration: z.strictObject({ key: z.optional(z.array(ciString(50)).check(z.maxLength(100))) }),
      ChangeConfiguration: z.strictObject({ key: ciString(50), value: ciString(500) }),
      ClearCache: z.strictObject({}),
      TriggerMessage: z.strictObject({
        requestedMessage: z.enum(messageTriggers),
        connectorId: z.optional(connectorIdSchema),
      }),
    }) as const,
);
export type CommandAction = keyof typeof commandPayloadsByAction;
export const commandActions = /* @__PURE__ */ pure(
  () => Object.keys(commandPayloadsByAction) as CommandAction[],
);

/** An operator command; `payload` is checked against its action's schema. */
export const commandPayloadSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({
      requestId: uuidSchema,
      action: z.enum(commandActions as [CommandAction, ...CommandAction[]]),
      payload: z.record(z.string(), z.unknown()),
      expiresAt: isoTimestampSchema,
      at: isoTimestampSchema,
    })
    .check(
      z.superRefine((command, context) => {
        const result = commandPayloadsByAction[command.action].safeParse(command.payload);
        for (const issue of result.error?.issues ?? []) {
          const path = ['payload', ...issue.path.map(String)];
          const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
          context.addIssue({
            code: 'custom',
            path: keys.length > 0 ? [...path, keys.join(',')] : path,
            message: keys.length > 0 ? 'is not a field of this message' : issue.message,
          });
        }
      }),
    ),
);
export type CommandPayload = z.infer<typeof commandPayloadSchema>;
