import * as z from 'zod/mini';
import { pure } from '../pure.js';
import {
  authRequestPayloadSchema,
  heartbeatPayloadSchema,
  meterPayloadSchema,
  plugPayloadSchema,
  requestIdOnlyOnTrigger,
} from './device.js';
import {
  authorizePayloadSchema,
  bootPayloadSchema,
  commandResponsePayloadSchema,
  diagnosticsStatusPayloadSchema,
  firmwareStatusPayloadSchema,
  remoteResponsePayloadSchema,
  statusPayloadSchema,
  transactionStartPayloadSchema,
  transactionStopPayloadSchema,
} from './device-v2.js';
import { chargerIdSchema, epochMsSchema } from './primitives.js';

/**
 * What every device rule adds to the payload in its SELECT:
 * `topic(2) AS chargerId, clientid() AS clientId, timestamp() AS receivedAt`.
 * The topic is the identity; clientId only serves the spoof check.
 */
export const ruleEnvelopeSchema = /* @__PURE__ */ pure(() =>
  z.object({
    chargerId: chargerIdSchema,
    clientId: z.string().check(z.minLength(1), z.maxLength(128)),
    receivedAt: epochMsSchema,
  }),
);
export type RuleEnvelope = z.infer<typeof ruleEnvelopeSchema>;

export const RULE_ENVELOPE_SQL = 'topic(2) AS chargerId, clientid() AS clientId, timestamp() AS receivedAt';

export function ruleSql(topicFilter: string): string {
  return `SELECT *, ${RULE_ENVELOPE_SQL} FROM '${topicFilter}'`;
}

/**
 * The rules that Basic Ingest reaches (heartbeats, readings) also archive what they read (a Basic Ingest publish
 * reaches no other rule): their envelope adds the topic, as the telemetry archive records every message.
 */
export const ARCHIVED_RULE_ENVELOPE_SQL =
  'topic(2) AS chargerId, clientid() AS clientId, topic() AS topic, timestamp() AS receivedAt';

export function archivedRuleSql(topicFilter: string): string {
  return `SELECT *, ${ARCHIVED_RULE_ENVELOPE_SQL} FROM '${topicFilter}'`;
}

/** The topic an archiving rule adds (`topic() AS topic`); the identity stays `chargerId`. */
export const archivedTopicShape = /* @__PURE__ */ pure(() => ({
  topic: z.optional(z.string().check(z.maxLength(256))),
}));

export const authRequestEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...authRequestPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type AuthRequestEvent = z.infer<typeof authRequestEventSchema>;

export const heartbeatEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...heartbeatPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
    ...archivedTopicShape,
  }),
);
export type HeartbeatEvent = z.infer<typeof heartbeatEventSchema>;

export const meterEventSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({ ...meterPayloadSchema.shape, ...ruleEnvelopeSchema.shape, ...archivedTopicShape })
    .check(z.refine(requestIdOnlyOnTrigger.check, requestIdOnlyOnTrigger.params)),
);
export type MeterEvent = z.infer<typeof meterEventSchema>;

export const plugEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...plugPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type PlugEvent = z.infer<typeof plugEventSchema>;

export const bootEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...bootPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type BootEvent = z.infer<typeof bootEventSchema>;

export const authorizeEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...authorizePayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type AuthorizeEvent = z.infer<typeof authorizeEventSchema>;

export const statusEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...statusPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type StatusEvent = z.infer<typeof statusEventSchema>;

export const transactionStartEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...transactionStartPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type TransactionStartEvent = z.infer<typeof transactionStartEventSchema>;

export const transactionStopEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...transactionStopPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type TransactionStopEvent = z.infer<typeof transactionStopEventSchema>;

export const remoteResponseEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...remoteResponsePayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type RemoteResponseEvent = z.infer<typeof remoteResponseEventSchema>;

export const commandResponseEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...commandResponsePayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type CommandResponseEvent = z.infer<typeof commandResponseEventSchema>;

export const firmwareStatusEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...firmwareStatusPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type FirmwareStatusEvent = z.infer<typeof firmwareStatusEventSchema>;

export const diagnosticsStatusEventSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    ...diagnosticsStatusPayloadSchema.shape,
    ...ruleEnvelopeSchema.shape,
  }),
);
export type DiagnosticsStatusEvent = z.infer<typeof diagnosticsStatusEventSchema>;
