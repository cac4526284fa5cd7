import { type ParseArgsConfig, parseArgs } from 'node:util';
import { chargerIdSchema, idTagSchema, isoTimestampSchema } from '@evcharge/domain';

/** Bad command-line arguments: the message names the argument; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** node:util parseArgs, strict, with its errors turned into UsageErrors that name the argument. */
export function parseCliArgs(argv: string[], options: OptionsConfig): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    // Checked by code, not instanceof TypeError: the error may come from another realm (jest's VM).
    const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as {
      code?: unknown;
      message?: unknown;
    };
    if (String(code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(String(message));
    throw error;
  }
}

export function expectPositionals(positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`missing argument <${names[positionals.length]}>`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument '${positionals[names.length]}'`);
  }
  return positionals;
}

export function stringOption(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(values: ParsedArgs['values'], name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`option --${name} is required`);
  return value;
}

export function integerOption(
  values: ParsedArgs['values'],
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new UsageError(
      `option --${name} must be an integer from ${range.min} to ${range.max}, got '${raw}'`,
    );
  }
  return value;
}

export function chargerIdArgument(value: string): string {
  if (!chargerIdSchema.safeParse(value).success) {
    throw new UsageError(`argument <chargerId> must match ^[A-Za-z0-9_-]{1,64}$, got '${value}'`);
  }
  return value;
}

export function idTagArgument(value: string): string {
  if (!idTagSchema.safeParse(value).success) {
    throw new UsageError(`argument <idTag> must be 1 to 20 characters, got '${value}'`);
  }
  return value;
}

/** Any ISO-8601 date-time an operator types, normalized to the contract's UTC-with-milliseconds form. */
export function isoTimestampOption(values: ParsedArgs['values'], name: string): string | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw) ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) {
    throw new UsageError(
      `option --${name} must be an ISO-8601 date-time such as 2027-01-01T00:00:00Z, got '${raw}'`,
    );
  }
  return isoTimestampSchema.parse(parsed.toISOString());
}
