import type * as z from 'zod/mini';
import { MAX_PAYLOAD_BYTES } from './contract/primitives.js';
import { BadInputError } from './errors.js';

/**
 * Parses untrusted input with a schema; the first issue becomes a BadInputError naming the field.
 * Shared by the IoT middleware, the HTTP handlers and the CLIs so every rejection reads the same.
 */
export function parseOrThrow<Schema extends z.ZodMiniType>(schema: Schema, input: unknown): z.infer<Schema> {
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

/** Device time further ahead of the receive time than this is bad input: device time orders v2 state. */
export const MAX_DEVICE_CLOCK_AHEAD_MS = 5 * 60 * 1000;

/** Whether a device timestamp is acceptable as an ordering key, given the server's receive time. */
export function isDeviceTimeBelievable(at: string, receivedAtMs: number): boolean {
  return Date.parse(at) - receivedAtMs <= MAX_DEVICE_CLOCK_AHEAD_MS;
}

/** A v2 message whose device time is too far ahead cannot be ordered: bad input naming `at`. */
export function assertDeviceTimeBelievable(message: { at: string; receivedAt: number }): void {
  if (!isDeviceTimeBelievable(message.at, message.receivedAt)) {
    throw new BadInputError(
      'at',
      `is more than ${MAX_DEVICE_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server's receive time`,
    );
  }
}
