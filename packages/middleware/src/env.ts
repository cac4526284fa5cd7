// The one typed environment parser: every function's config.ts reads its variables through these, once per
// cold start. A missing or malformed variable fails the cold start with the variable's name.

/** A variable that must be set and non-empty. */
export function requiredEnv(name: string, source: NodeJS.ProcessEnv = process.env): string {
  const value = source[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** A variable that may be unset (undefined when unset or empty). */
export function optionalEnv(name: string, source: NodeJS.ProcessEnv = process.env): string | undefined {
  return source[name] || undefined;
}

export interface IntegerEnvOptions {
  /** The smallest value allowed (default 0). */
  min?: number;
  /** Used when the variable is unset or empty; without it the variable is required. */
  fallback?: number;
}

/** A whole number of at least `min` (default 0). */
export function integerEnv(name: string, options: IntegerEnvOptions = {}, source = process.env): number {
  const { min = 0, fallback } = options;
  const raw = source[name];
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw new Error(`environment variable ${name} is not set`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`environment variable ${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}
