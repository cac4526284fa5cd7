import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { archivePrefix } from '../../src/analytics/archive-layout.js';

// A local archive as Firehose lays it out in S3: NDJSON, GZIP, one object per prefix (kind/day/hour), named as
// Firehose names its objects.

export interface ArchivedMessage {
  topic: string;
  receivedAt: number;
  [field: string]: unknown;
}

export function writeArchive(bucketDir: string, messages: ArchivedMessage[]): string[] {
  const byPrefix = new Map<string, ArchivedMessage[]>();
  for (const message of messages) {
    const prefix = archivePrefix(message);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), message]);
  }
  return [...byPrefix].map(([prefix, batch]) => {
    const stamp = new Date(batch[0]?.receivedAt ?? 0).toISOString().slice(0, 19).replace(/[T:]/g, '-');
    const key = `${prefix}ev-charging-local-telemetry-archive-1-${stamp}-${randomUUID()}.gz`;
    mkdirSync(join(bucketDir, prefix), { recursive: true });
    writeFileSync(
      join(bucketDir, key),
      gzipSync(batch.map((message) => `${JSON.stringify(message)}\n`).join('')),
    );
    return key;
  });
}

/** An archived charger message: the payload plus the rule's envelope (chargerId, clientId, topic, receivedAt). */
export function archived(
  chargerId: string,
  suffix: string,
  receivedAt: string,
  payload: object,
): ArchivedMessage {
  return {
    ...payload,
    chargerId,
    clientId: chargerId,
    topic: `chargers/${chargerId}/${suffix}`,
    receivedAt: Date.parse(receivedAt),
  };
}

/** An archived lifecycle event. */
export function archivedPresence(
  chargerId: string,
  eventType: 'connected' | 'disconnected',
  at: string,
  versionNumber: number,
): ArchivedMessage {
  return {
    clientId: chargerId,
    timestamp: Date.parse(at),
    eventType,
    sessionIdentifier: `${chargerId}-${versionNumber}`,
    principalIdentifier: 'local',
    versionNumber,
    chargerId,
    topic: `$aws/events/presence/${eventType}/${chargerId}`,
    receivedAt: Date.parse(at) + 50,
  };
}
