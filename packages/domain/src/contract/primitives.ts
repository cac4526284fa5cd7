import * as z from 'zod';

/** The IoT thing name and MQTT client id. */
export const chargerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$');
export type ChargerId = z.infer<typeof chargerIdSchema>;

/** OCPP CiString20. */
export const idTagSchema = z.string().min(1).max(20);

export const connectorIdSchema = z.number().int().min(1).max(999);

export const uuidSchema = z.uuid();

/** ISO-8601 UTC with milliseconds, e.g. 2026-11-25T06:30:00.000Z. */
export const isoTimestampSchema = z.iso.datetime({ precision: 3 });

/** Epoch milliseconds as produced by the rule SQL `timestamp()`. */
export const epochMsSchema = z.number().int().nonnegative().max(8.64e15);

export const MAX_PAYLOAD_BYTES = 8 * 1024;

/** DynamoDB stores numbers of magnitude 1e-130 to 1e126; a smaller non-zero one cannot be stored at all. */
export const MIN_STORABLE_MAGNITUDE = 1e-130;

/** A measured quantity the table keeps as sent: finite, never negative, 0 or large enough to store. */
export const storableMeasurementSchema = z
  .number()
  .finite()
  .nonnegative()
  .refine((value) => value === 0 || value >= MIN_STORABLE_MAGNITUDE, {
    message: `must be 0 or at least ${MIN_STORABLE_MAGNITUDE} (smaller values cannot be stored)`,
  });
