import { randomBytes } from 'node:crypto';

// Firehose's S3 prefix expressions `!{namespace:value}` (AWS "Custom prefixes for Amazon S3 objects").

/** Literal text, or one expression to expand per object. */
export type PrefixPart =
  | string
  | { namespace: 'partitionKeyFromQuery'; key: string }
  | { namespace: 'timestamp'; format: string }
  | { namespace: 'firehose'; key: 'random-string' | 'error-output-type' };

/** What an expansion needs: the partition's keys (from the JQ query), the object's time, the error type. */
export interface PrefixValues {
  partitionKeys?: Record<string, string>;
  at: Date;
  errorOutputType?: string;
}

/** Thrown at start-up for an expression the local Firehose cannot expand; names it. */
export class PrefixError extends Error {
  override name = 'PrefixError';
}

// The Java DateTimeFormatter letters Firehose prefixes commonly use; others fail at start-up.
const timestampFields: Record<string, (at: Date) => string> = {
  yyyy: (at) => String(at.getUTCFullYear()),
  MM: (at) => pad(at.getUTCMonth() + 1),
  dd: (at) => pad(at.getUTCDate()),
  HH: (at) => pad(at.getUTCHours()),
  mm: (at) => pad(at.getUTCMinutes()),
  ss: (at) => pad(at.getUTCSeconds()),
};
const pad = (value: number) => String(value).padStart(2, '0');

/** Parses a Prefix/ErrorOutputPrefix; `allowErrorType` only for ErrorOutputPrefix, as Firehose requires. */
export function parsePrefix(prefix: string, allowErrorType = false): PrefixPart[] {
  return prefix.split(/(!\{[^}]*\})/).flatMap((text): PrefixPart[] => {
    if (!text) return [];
    if (!text.startsWith('!{')) return [text];
    const [namespace, ...rest] = text.slice(2, -1).split(':');
    const value = rest.join(':');
    if (namespace === 'partitionKeyFromQuery' && value) return [{ namespace, key: value }];
    if (namespace === 'timestamp') {
      timestampTokens(value, text);
      return [{ namespace, format: value }];
    }
    if (
      namespace === 'firehose' &&
      (value === 'random-string' || (value === 'error-output-type' && allowErrorType))
    )
      return [{ namespace, key: value }];
    throw new PrefixError(`prefix expression ${text} is not emulated by the local Firehose`);
  });
}

/** The default Firehose appends when a prefix names no time and partitions by none: `yyyy/MM/dd/HH/`. */
export function withDefaultTimePrefix(parts: PrefixPart[], dynamicPartitioning: boolean): PrefixPart[] {
  const namesTime = parts.some((part) => typeof part !== 'string' && part.namespace === 'timestamp');
  return namesTime || dynamicPartitioning
    ? parts
    : [...parts, { namespace: 'timestamp', format: 'yyyy/MM/dd/HH/' }];
}

export function expandPrefix(parts: PrefixPart[], values: PrefixValues): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.namespace === 'timestamp')
        return timestampTokens(part.format, part.format)
          .map((token) => timestampFields[token]?.(values.at) ?? token)
          .join('');
      if (part.namespace === 'firehose')
        return part.key === 'random-string'
          ? randomBytes(8).toString('base64url').slice(0, 11)
          : (values.errorOutputType ?? '');
      const value = values.partitionKeys?.[part.key];
      if (value === undefined)
        throw new Error(`partition key ${part.key} missing from the metadata query's output`);
      return value;
    })
    .join('');
}

/** The partition keys a prefix names (each must come out of the metadata query). */
export function partitionKeysOf(parts: PrefixPart[]): string[] {
  return parts.flatMap((part) =>
    typeof part !== 'string' && part.namespace === 'partitionKeyFromQuery' ? [part.key] : [],
  );
}

// Splits a format into field tokens and literal separators; a letter run that is no known field fails.
function timestampTokens(format: string, expression: string): string[] {
  const tokens = format.match(/[A-Za-z]+|[^A-Za-z]+/g) ?? [];
  for (const token of tokens)
    if (/^[A-Za-z]/.test(token) && !timestampFields[token])
      throw new PrefixError(
        `timestamp field ${token} in ${expression} is not emulated by the local Firehose`,
      );
  return tokens;
}
