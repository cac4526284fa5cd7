import { createHash } from 'node:crypto';
import type { HttpEvent, HttpResult } from '@evcharge/middleware';

/**
 * The console polls: an unchanged answer goes back as a body-less 304 against the ETag it already holds. The
 * view's own timestamp (`at`) is left out of the hash, so only a real change makes a new ETag.
 */
export function withEtag(event: HttpEvent, result: HttpResult): HttpResult {
  if (result.statusCode !== 200 || typeof result.body !== 'string') return result;
  const stable = result.body.replace(/^\{"at":"[^"]*",/, '{');
  const etag = `"${createHash('sha256').update(stable).digest('base64url').slice(0, 27)}"`;
  const headers = { ...result.headers, etag, 'cache-control': 'no-cache' };
  if (event.headers?.['if-none-match'] === etag) return { statusCode: 304, headers };
  return { ...result, headers };
}
