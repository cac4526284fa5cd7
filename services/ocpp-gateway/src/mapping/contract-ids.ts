import { createHash } from 'node:crypto';

// Contract ids (requestId/messageId) come from the charger id and the message's content, never from the
// OCPP unique id: chargers reuse unique ids across reboots, while a retransmission repeats the content.

/** The gateway's UUIDv5 namespace (RFC 9562 section 5.5); fixed forever, or every id would change. */
const GATEWAY_NAMESPACE = Buffer.from('6f1c7a52b3e04c1f9a8d2e5b7c4f0a13', 'hex');

/** JSON with keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A UUIDv5 of (chargerId, what the message is, its content). */
export function contractIdFor(chargerId: string, kind: string, content: unknown): string {
  const digest = createHash('sha1')
    .update(GATEWAY_NAMESPACE)
    .update(`${chargerId}\u0000${kind}\u0000${canonicalJson(content)}`)
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
