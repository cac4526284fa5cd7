import type * as z from 'zod';
import { MAX_PAYLOAD_BYTES } from './contract/primitives.js';
import { BadInputError } from './errors.js';

/**
 * Parses untrusted input with a schema; the first issue becomes a BadInputError naming the field.
 * Shared by the IoT middleware, the HTTP handlers and the CLIs so every rejection reads the same.
 */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BadInputError('(payload)', 'must be a JSON object');
  }
  const size = new TextEncoder().encode(JSON.stringify(input)).length;
  if (size > MAX_PAYLOAD_BYTES) {
    throw new BadInputError('(payload)', `is ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new BadInputError('(payload)', 'is invalid');
  if (issue.code === 'unrecognized_keys') {
    // Dotted like every other field, so a nested extra key (energy.phase) says where it is.
    const fields = issue.keys.map((key) => [...issue.path, key].join('.'));
    throw new BadInputError(fields.join(','), 'is not a field of this message');
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : '(payload)';
  throw new BadInputError(field, issue.message);
}
