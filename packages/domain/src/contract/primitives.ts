import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { pure } from '../pure.js';

// zod/mini ships no messages by default; every schema module imports this one, so every rejection reads in
// English and names what is wrong, as classic zod's did.
z.config(en());

/** The IoT thing name and MQTT client id. */
export const chargerIdSchema = /* @__PURE__ */ pure(() =>
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$')),
);
export type ChargerId = z.infer<typeof chargerIdSchema>;

/** OCPP CiString20. */
export const idTagSchema = /* @__PURE__ */ pure(() => z.string().check(z.minLength(1), z.maxLength(20)));

export const connectorIdSchema = /* @__PURE__ */ pure(() => z.int().check(z.gte(1), z.lte(999)));

export const uuidSchema = /* @__PURE__ */ pure(() => z.uuid());

/** ISO-8601 UTC with milliseconds, e.g. 2026-11-25T06:30:00.000Z. */
export const isoTimestampSchema = /* @__PURE__ */ pure(() => z.iso.datetime({ precision: 3 }));

/** Epoch milliseconds as produced by the rule SQL `timestamp()`. */
export const epochMsSchema = /* @__PURE__ */ pure(() => z.int().check(z.nonnegative(), z.lte(8.64e15)));

export const MAX_PAYLOAD_BYTES = 8 * 1024;

/** DynamoDB stores numbers of magnitude 1e-130 to 1e126; a smaller non-zero one cannot be stored at all. */
export const MIN_STORABLE_MAGNITUDE = 1e-130;

/** A measured quantity the table keeps as sent: finite, never negative, 0 or large enough to store. */
export const storableMeasurementSchema = /* @__PURE__ */ pure(() =>
  z.number().check(
    z.nonnegative(),
    z.refine((value) => value === 0 || value >= MIN_STORABLE_MAGNITUDE, {
      message: `must be 0 or at least ${MIN_STORABLE_MAGNITUDE} (smaller values cannot be stored)`,
    }),
  ),
);
