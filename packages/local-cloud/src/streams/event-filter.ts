// Lambda event filtering (FilterCriteria) for the stream event sources the local cloud runs: a record reaches
// the function only if it matches at least one of the `filterPatterns` of its `stream` event, as on AWS.
// The rule language is AWS's event-pattern language; no maintained JavaScript implementation of it exists on
// the registry (AWS's own, event-ruler, is Java), so this is the subset our templates may use, and a pattern
// using anything else fails start-up by name rather than matching silently.

export type EventPattern = { [key: string]: EventPattern | PatternValue[] };
type Primitive = string | number | boolean | null;
type PatternValue =
  | Primitive
  | { 'anything-but': Primitive | Primitive[] }
  | { exists: boolean }
  | { prefix: string }
  | { numeric: (string | number)[] };

const operators = new Set(['anything-but', 'exists', 'prefix', 'numeric']);

/** Refuses, by path, any part of a pattern this subset does not implement. */
export function assertSupportedPattern(
  pattern: unknown,
  path = 'filterPattern',
): asserts pattern is EventPattern {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new Error(`${path}: a filter pattern must be an object`);
  }
  for (const [key, value] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (Array.isArray(value)) {
      for (const entry of value) {
        if (entry !== null && typeof entry === 'object') {
          const [operator, ...more] = Object.keys(entry);
          if (!operator || more.length > 0 || !operators.has(operator)) {
            throw new Error(
              `${at}: the local cloud does not emulate the filter rule ${JSON.stringify(entry)}`,
            );
          }
        }
      }
    } else assertSupportedPattern(value, at);
  }
}

/**
 * Whether an event matches one pattern: every field of the pattern matches (AND), any value of a field (OR).
 * As AWS's engine flattens the event into leaf paths, a leaf under a missing object is absent: only
 * `{ exists: false }` matches it (event-ruler's tests match `a.b.c: [{exists: false}]` against an event without `a.b`).
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([key, rule]) => {
    const present = Object.hasOwn(fields, key);
    if (!Array.isArray(rule)) return matchesPattern(rule, present ? fields[key] : undefined);
    return rule.some((value) => matchesValue(value, present, fields[key]));
  });
}

/** Lambda's rule for several filters: a record passes when it matches at least one. */
export function matchesAnyPattern(patterns: EventPattern[] | undefined, event: unknown): boolean {
  return !patterns || patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, event));
}

function matchesValue(rule: PatternValue, present: boolean, value: unknown): boolean {
  if (rule !== null && typeof rule === 'object' && 'exists' in rule) return rule.exists === present;
  if (!present) return false;
  // An array in the event matches when any of its elements does.
  if (Array.isArray(value)) return value.some((element) => matchesValue(rule, true, element));
  if (rule === null || typeof rule !== 'object') return value === rule;
  if ('anything-but' in rule) {
    const excluded = ([] as Primitive[]).concat(rule['anything-but']);
    return !excluded.includes(value as Primitive);
  }
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
  return matchesNumeric(rule.numeric, value);
}

function matchesNumeric(conditions: (string | number)[], value: unknown): boolean {
  // DynamoDB stream records carry numbers as strings ({ N: "42" }).
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (Number.isNaN(number)) return false;
  for (let index = 0; index < conditions.length; index += 2) {
    const operator = conditions[index];
    const bound = Number(conditions[index + 1]);
    const holds =
      operator === '='
        ? number === bound
        : operator === '<'
          ? number < bound
          : operator === '<='
            ? number <= bound
            : operator === '>'
              ? number > bound
              : operator === '>='
                ? number >= bound
                : false;
    if (!holds) return false;
  }
  return true;
}
