import { BadInputError } from '@evcharge/domain';
import type { HttpEvent } from '@evcharge/middleware';

// The operator role check is shared with metering's operator route (`@evcharge/middleware`).
export { operatorRoute } from '@evcharge/middleware';

/** A JSON object body (API Gateway may hand it over base64-encoded); 400 when it is not one. */
export function jsonBodyOf(event: HttpEvent): Record<string, unknown> {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  let body: unknown;
  try {
    body = JSON.parse(text || '{}');
  } catch {
    throw new BadInputError('(body)', 'must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadInputError('(body)', 'must be a JSON object');
  return body as Record<string, unknown>;
}

interface StringSchema {
  safeParse: (
    value: unknown,
  ) => { success: true; data: string } | { success: false; error: { issues: { message: string }[] } };
}

/** A path parameter checked by the contract's schema for it (chargerIdSchema, …); 400 naming it otherwise. */
export function pathParameter(event: HttpEvent, name: string, schema: StringSchema): string {
  const result = schema.safeParse(event.pathParameters?.[name]);
  if (!result.success) throw new BadInputError(name, result.error.issues[0]?.message ?? 'is invalid');
  return result.data;
}
