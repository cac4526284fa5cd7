import * as z from 'zod/mini';
import { pure } from '../pure.js';
import {
  chargerIdSchema,
  connectorIdSchema,
  idTagSchema,
  isoTimestampSchema,
  uuidSchema,
} from './primitives.js';

/** The `cognito:groups` entry every operator route requires (a Cognito user pool's group on AWS). */
export const OPERATORS_GROUP = 'operators';

export const sessionStatuses = ['Authorized', 'Charging', 'Completed', 'Expired'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

export const currencySchema = /* @__PURE__ */ pure(() =>
  z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code')),
);

/** One row of `GET /me/sessions`, newest first. */
export const sessionSummarySchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    sessionId: uuidSchema,
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    status: z.enum(sessionStatuses),
    startedAt: isoTimestampSchema,
    endedAt: z.optional(isoTimestampSchema),
    energyWh: z.int().check(z.nonnegative()),
    costMinor: z.int().check(z.nonnegative()),
    currency: currencySchema,
  }),
);
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const mySessionsResponseSchema = /* @__PURE__ */ pure(() => z.array(sessionSummarySchema));

/** `GET /sessions/{sessionId}`. */
export const sessionStatusViewSchema = /* @__PURE__ */ pure(() =>
  z.extend(sessionSummarySchema, {
    powerW: z.optional(z.number().check(z.nonnegative())),
    lastReadingAt: z.optional(isoTimestampSchema),
  }),
);
export type SessionStatusView = z.infer<typeof sessionStatusViewSchema>;

/** `POST /sessions/{sessionId}/meter-requests` → 202. */
export const meterRequestAcceptedSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({ requestId: uuidSchema }),
);
export type MeterRequestAccepted = z.infer<typeof meterRequestAcceptedSchema>;

export const sessionIdPathSchema = /* @__PURE__ */ pure(() => z.strictObject({ sessionId: uuidSchema }));

/** `POST /me/sessions`: a remote start; without idTag, the caller's most recently used active tag. */
export const remoteStartRequestSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    chargerId: chargerIdSchema,
    connectorId: connectorIdSchema,
    idTag: z.optional(idTagSchema),
  }),
);
export type RemoteStartRequest = z.infer<typeof remoteStartRequestSchema>;

/** `POST /me/sessions` and `POST /sessions/{sessionId}/stop` → 202: the outcome's notifications carry it. */
export const remoteRequestAcceptedSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({ requestId: uuidSchema }),
);
export type RemoteRequestAccepted = z.infer<typeof remoteRequestAcceptedSchema>;

/** Error bodies never carry stack traces or internal ids. */
export const httpErrorBodySchema = /* @__PURE__ */ pure(() => z.strictObject({ message: z.string() }));
