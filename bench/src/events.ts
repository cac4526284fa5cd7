import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLambdaContext } from '@evcharge/middleware/testing';
import type { Context } from 'aws-lambda';
import { repoRoot } from './paths.js';

// Handler events exactly as the IoT rule's SELECT delivers them (payload + chargerId, clientId, receivedAt),
// plus the stream, schedule and HTTP events of the other triggers (from the services' sample events).

type Envelope = { chargerId: string; clientId: string; receivedAt: number };

const envelope = (chargerId: string, receivedAt: number): Envelope => ({
  chargerId,
  clientId: chargerId,
  receivedAt,
});

export function heartbeatEvent(chargerId: string, receivedAt: number, firmware = 'bench/1.0') {
  return { at: new Date(receivedAt).toISOString(), firmware, ...envelope(chargerId, receivedAt) };
}

export function presenceEvent(chargerId: string, timestamp: number, versionNumber: number) {
  return {
    clientId: chargerId,
    timestamp,
    eventType: 'connected',
    sessionIdentifier: randomUUID(),
    principalIdentifier: 'bench',
    ipAddress: '127.0.0.1',
    versionNumber,
  };
}

export function authEvent(chargerId: string, receivedAt: number, idTag: string, connectorId = 1) {
  return {
    requestId: randomUUID(),
    connectorId,
    idTag,
    at: new Date(receivedAt).toISOString(),
    ...envelope(chargerId, receivedAt),
  };
}

export function plugEvent(
  chargerId: string,
  receivedAt: number,
  event: 'plugged' | 'unplugged',
  connectorId = 1,
) {
  return {
    messageId: randomUUID(),
    connectorId,
    event,
    at: new Date(receivedAt).toISOString(),
    ...envelope(chargerId, receivedAt),
  };
}

export function meterEvent(chargerId: string, receivedAt: number, registerWh: number, sessionId?: string) {
  return {
    messageId: randomUUID(),
    connectorId: 1,
    ...(sessionId ? { sessionId } : {}),
    at: new Date(receivedAt).toISOString(),
    energy: { value: registerWh, unit: 'Wh' },
    powerW: 7200,
    context: 'Sample.Periodic',
    ...envelope(chargerId, receivedAt),
  };
}

function sampleText(service: string, file: string): string {
  return readFileSync(join(repoRoot, 'services', service, 'events', file), 'utf8');
}

/** The notifications sample (Session Charging → Completed) with fresh ids, so each call is a new change. */
export function sessionCompletedStreamEvent(): unknown {
  const text = sampleText('notifications', 'session-completed.json')
    .replaceAll('3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a01', randomUUID())
    .replaceAll('c4ca4238a0b923820dcc509a6f75849b', randomUUID().replaceAll('-', ''));
  return JSON.parse(text);
}

export function sampleEvent(service: string, file: string): unknown {
  return JSON.parse(sampleText(service, file));
}

export function lambdaContext(functionName: string): Context {
  return createLambdaContext(functionName, { logStreamName: 'bench' });
}
