import * as z from 'zod/mini';
import { pure } from '../pure.js';
import { meterPayloadSchema } from './device.js';
import {
  connectorOrChargerIdSchema,
  measurandLocations,
  measurands,
  phases,
  readingContexts,
  transactionIdSchema,
  unitsOfMeasure,
  valueFormats,
} from './ocpp.js';
import { isoTimestampSchema, MIN_STORABLE_MAGNITUDE, uuidSchema } from './primitives.js';
import { archivedTopicShape, meterEventSchema, ruleEnvelopeSchema } from './rule-events.js';

// The v2 shape of `chargers/{chargerId}/meter`: OCPP 1.6 MeterValues.req, every sampled value kept. The v1
// shape (`energy`, `at`) keeps working; a payload with `meterValue` is v2, any other is v1.

export type ReadingContext = (typeof readingContexts)[number];
export type Measurand = (typeof measurands)[number];

/** OCPP's Raw value: a decimal number as text (xsd:decimal: no exponent, no spaces). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** SampledValue (OCPP 1.6 section 7.43), OCPP's defaults applied. */
export const sampledValueSchema = /* @__PURE__ */ pure(() =>
  z.pipe(
    z.strictObject({
      value: z.string().check(z.minLength(1)),
      context: z._default(z.enum(readingContexts), 'Sample.Periodic'),
      format: z._default(z.enum(valueFormats), 'Raw'),
      measurand: z._default(z.enum(measurands), 'Energy.Active.Import.Register'),
      // Absent: the overall value, not one phase's.
      phase: z.optional(z.enum(phases)),
      location: z._default(z.enum(measurandLocations), 'Outlet'),
      // OCPP: "Default = Wh if the (default) measurand is an Energy type"; other measurands have no default.
      unit: z.optional(z.enum(unitsOfMeasure)),
    }),
    z.transform((sampled) =>
      sampled.unit === undefined && sampled.measurand.startsWith('Energy.')
        ? { ...sampled, unit: 'Wh' as const }
        : sampled,
    ),
  ),
);
export type SampledValue = z.output<typeof sampledValueSchema>;

/** MeterValue: the values sampled at one time. */
export const meterValueSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    timestamp: isoTimestampSchema,
    sampledValue: z.array(sampledValueSchema).check(z.minLength(1)),
  }),
);
export type MeterValue = z.output<typeof meterValueSchema>;

/** The register and power ranges of the v1 `energy` and `powerW` fields. */
const MAX_REGISTER_WH = 1e12;
const MAX_POWER_W = 10_000_000;

/** A sampled value that drives sessions: the overall active-import register or power at the outlet, as a number. */
function drives(sampled: SampledValue, measurand: Measurand): boolean {
  return (
    sampled.measurand === measurand &&
    sampled.phase === undefined &&
    sampled.location === 'Outlet' &&
    sampled.format === 'Raw'
  );
}

/** A decimal text times 1 or 1000, without the float error of the product (12.3456 kWh is 12345.6 Wh). */
function scaled(value: string, factor: number): number {
  return Number((Number(value) * factor).toPrecision(15));
}

/** The register of one MeterValue in Wh (not yet rounded), from its first driving Energy.Active.Import.Register. */
export function registerSampleOf(meterValue: MeterValue): { index: number; value: number } | undefined {
  const index = meterValue.sampledValue.findIndex((sampled) =>
    drives(sampled, 'Energy.Active.Import.Register'),
  );
  const sampled = meterValue.sampledValue[index];
  if (!sampled) return undefined;
  return { index, value: scaled(sampled.value, sampled.unit === 'kWh' ? 1000 : 1) };
}

/** The active import power of one MeterValue in W, from its first driving Power.Active.Import with a unit. */
export function powerSampleOf(meterValue: MeterValue): { index: number; value: number } | undefined {
  // OCPP gives power no default unit: a value without one is kept, not read as W or kW.
  const index = meterValue.sampledValue.findIndex(
    (sampled) => drives(sampled, 'Power.Active.Import') && sampled.unit !== undefined,
  );
  const sampled = meterValue.sampledValue[index];
  if (!sampled) return undefined;
  return { index, value: scaled(sampled.value, sampled.unit === 'kW' ? 1000 : 1) };
}

const storable = (value: number) => value === 0 || value >= MIN_STORABLE_MAGNITUDE;

const payloadShape = /* @__PURE__ */ pure(() => ({
  messageId: uuidSchema,
  // 0 is the charger's main meter: kept for the charger, never a session's. May be left out when transactionId
  // names the connector (a StopTransaction's transactionData: OCPP's StopTransaction carries no connector).
  connectorId: z.optional(connectorOrChargerIdSchema),
  transactionId: z.optional(transactionIdSchema),
  sessionId: z.optional(uuidSchema),
  requestId: z.optional(uuidSchema),
  meterValue: z.array(meterValueSchema).check(z.minLength(1)),
}));

type MeterValuesShape = z.output<z.ZodMiniObject<typeof payloadShape>>;

/** What a field-by-field schema cannot say: units, ranges and combinations of fields. */
function checkMeterValues(message: MeterValuesShape, context: z.core.$RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    context.addIssue({ code: 'custom', path, message });
  if (message.connectorId === undefined && message.transactionId === undefined)
    issue(['connectorId'], 'is required unless transactionId names the connector');
  if (message.connectorId === 0) {
    if (message.transactionId !== undefined)
      issue(['transactionId'], 'is not allowed on connector 0 (the main meter)');
    if (message.sessionId !== undefined)
      issue(['sessionId'], 'is not allowed on connector 0 (the main meter)');
  }
  const seen = new Map<string, number>();
  message.meterValue.forEach((meterValue, index) => {
    const earlier = seen.get(meterValue.timestamp);
    if (earlier !== undefined)
      issue(['meterValue', index, 'timestamp'], `repeats the timestamp of meterValue.${earlier}`);
    seen.set(meterValue.timestamp, index);
    meterValue.sampledValue.forEach((sampled, sampledIndex) => {
      const path = ['meterValue', index, 'sampledValue', sampledIndex];
      if (sampled.format === 'Raw' && !DECIMAL.test(sampled.value))
        issue([...path, 'value'], 'must be a decimal number as text (format Raw), e.g. "1234.5"');
      if (drives(sampled, 'Energy.Active.Import.Register') && sampled.unit !== 'Wh' && sampled.unit !== 'kWh')
        issue([...path, 'unit'], 'must be Wh or kWh for Energy.Active.Import.Register');
      const powerUnitKnown = sampled.unit === undefined || sampled.unit === 'W' || sampled.unit === 'kW';
      if (drives(sampled, 'Power.Active.Import') && !powerUnitKnown)
        issue([...path, 'unit'], 'must be W or kW for Power.Active.Import');
    });
    const register = registerSampleOf(meterValue);
    if (register && DECIMAL.test(meterValue.sampledValue[register.index]?.value ?? '')) {
      const wattHours = register.value;
      if (!(wattHours >= 0 && wattHours <= MAX_REGISTER_WH && storable(wattHours)))
        issue(
          ['meterValue', index, 'sampledValue', register.index, 'value'],
          `must be a register of 0 – ${MAX_REGISTER_WH} Wh, 0 or at least ${MIN_STORABLE_MAGNITUDE}`,
        );
    }
    const power = powerSampleOf(meterValue);
    if (power && DECIMAL.test(meterValue.sampledValue[power.index]?.value ?? '')) {
      if (!(power.value >= 0 && power.value <= MAX_POWER_W && storable(power.value)))
        issue(
          ['meterValue', index, 'sampledValue', power.index, 'value'],
          `must be a power of 0 – ${MAX_POWER_W} W, 0 or at least ${MIN_STORABLE_MAGNITUDE}`,
        );
    }
  });
  // A requestId echoes a meter/request: only a message answering it (every value in context Trigger).
  const answersTrigger = message.meterValue.every((meterValue) =>
    meterValue.sampledValue.every((sampled) => sampled.context === 'Trigger'),
  );
  if (message.requestId !== undefined && !answersTrigger)
    issue(['requestId'], 'is only allowed when every sampled value has context "Trigger"');
}

/** The v2 `meter` payload: OCPP 1.6 MeterValues.req, one message per at most 8 KB. */
export const meterValuesPayloadSchema = /* @__PURE__ */ pure(() =>
  z.strictObject(payloadShape).check(z.superRefine(checkMeterValues)),
);
export type MeterValuesPayload = z.output<typeof meterValuesPayloadSchema>;

/** The v2 `meter` rule event: the payload plus what the rule adds. */
export const meterValuesEventSchema = /* @__PURE__ */ pure(() =>
  z
    .strictObject({ ...payloadShape, ...ruleEnvelopeSchema.shape, ...archivedTopicShape })
    .check(z.superRefine(checkMeterValues)),
);
export type MeterValuesEvent = z.output<typeof meterValuesEventSchema>;

/** Whether a `meter` payload is the v2 shape: it carries `meterValue`. */
export function isMeterValuesShape(input: unknown): boolean {
  return typeof input === 'object' && input !== null && Object.hasOwn(input, 'meterValue');
}

/**
 * One schema for a topic with two shapes, chosen by `isMeterValuesShape`, so a rejection names the field of
 * the shape the sender used (a plain union would only say "invalid input").
 */
function eitherShape<V1 extends z.ZodMiniType, V2 extends z.ZodMiniType>(v1: V1, v2: V2) {
  return z.pipe(
    z.unknown(),
    z.transform((input, context): z.output<V1> | z.output<V2> => {
      const result = (isMeterValuesShape(input) ? v2 : v1).safeParse(input);
      if (result.success) return result.data;
      for (const issue of result.error.issues) context.issues.push(issue as z.core.$ZodRawIssue);
      return z.NEVER;
    }),
  );
}

/** Every shape the `meter` topic takes, v1 first (docs/contract.md has a field table for each). */
export const meterTopicShapes = [meterPayloadSchema, meterValuesPayloadSchema] as const;

/** The `meter` topic's payload: v1 (`energy`) or v2 (`meterValue`). */
export const meterTopicPayloadSchema = /* @__PURE__ */ pure(() =>
  eitherShape(meterPayloadSchema, meterValuesPayloadSchema),
);

/** The `meter` rule event, v1 or v2. */
export const meterTopicEventSchema = /* @__PURE__ */ pure(() =>
  eitherShape(meterEventSchema, meterValuesEventSchema),
);
export type MeterTopicEvent = z.output<typeof meterTopicEventSchema>;
