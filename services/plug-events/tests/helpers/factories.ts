import { randomUUID } from 'node:crypto';
import type { PlugEvent, PlugEventKind, StatusEvent } from '@evcharge/domain';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context } from 'aws-lambda';

/** What the IoT rule delivers for chargers/{chargerId}/plug (payload + rule envelope). */
export function plugRuleEvent(overrides: Partial<PlugEvent> = {}): PlugEvent {
  const chargerId = overrides.chargerId ?? 'CP-PLUG-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    messageId: randomUUID(),
    connectorId: 1,
    event: 'plugged',
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** A stream of plug events one minute apart (device time), each received 150 ms after it was sent. */
export function plugStream(chargerId: string, kinds: PlugEventKind[], startMs: number): PlugEvent[] {
  return kinds.map((event, index) => {
    const atMs = startMs + (index + 1) * 60_000;
    return plugRuleEvent({ chargerId, event, at: new Date(atMs).toISOString(), receivedAt: atMs + 150 });
  });
}

/** What the IoT rule delivers for chargers/{chargerId}/status (payload + rule envelope). */
export function statusRuleEvent(overrides: Partial<StatusEvent> = {}): StatusEvent {
  const chargerId = overrides.chargerId ?? 'CP-STATUS-1';
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    messageId: randomUUID(),
    connectorId: 1,
    status: 'Available',
    errorCode: 'NoError',
    at: new Date(receivedAt).toISOString(),
    chargerId,
    clientId: chargerId,
    receivedAt,
    ...overrides,
  };
}

/** The context Lambda gives `plug`: its remaining time counts down from its configured timeout. */
export function lambdaContext(): Context {
  return lambdaContextFor('plug-events', 'plug');
}

/** The context Lambda gives `status`. */
export function statusLambdaContext(): Context {
  return lambdaContextFor('plug-events', 'status');
}
