import { readFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  CommandResponseEvent,
  ConnectedEvent,
  DiagnosticsStatusEvent,
  DisconnectedEvent,
  FirmwareStatusEvent,
  HeartbeatEvent,
} from '@evcharge/domain';
import { lambdaContextFor } from '@evcharge/testing';
import type { Context, ScheduledEvent } from 'aws-lambda';

// Typed event factories over the samples in events/ (the same files `sls invoke local` uses).

function sample<Event>(name: string): Event {
  return JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8')) as Event;
}

/** A heartbeat as the rule delivers it; `chargerId`/`clientId` follow `chargerId` unless overridden. */
export function heartbeatEvent(
  chargerId: string,
  receivedAt: number,
  overrides: Partial<HeartbeatEvent> = {},
): HeartbeatEvent {
  const { firmware: _firmware, intervalS: _intervalS, ...base } = sample<HeartbeatEvent>('heartbeat');
  return {
    ...base,
    chargerId,
    clientId: chargerId,
    receivedAt,
    at: new Date(receivedAt).toISOString(),
    ...overrides,
  };
}

export function connectedEvent(
  clientId: string,
  versionNumber: number,
  timestamp: number,
  overrides: Partial<ConnectedEvent> = {},
): ConnectedEvent {
  return { ...sample<ConnectedEvent>('connected'), clientId, versionNumber, timestamp, ...overrides };
}

export function disconnectedEvent(
  clientId: string,
  versionNumber: number,
  timestamp: number,
  clean: boolean,
  overrides: Partial<DisconnectedEvent> = {},
): DisconnectedEvent {
  return {
    ...sample<DisconnectedEvent>('disconnected'),
    clientId,
    versionNumber,
    timestamp,
    clientInitiatedDisconnect: clean,
    disconnectReason: clean ? 'CLIENT_INITIATED_DISCONNECT' : 'MQTT_KEEP_ALIVE_TIMEOUT',
    ...overrides,
  };
}

/** A command/response as the rule delivers it, from events/command-response.json. */
export function commandResponseEvent(
  chargerId: string,
  overrides: Partial<CommandResponseEvent> = {},
): CommandResponseEvent {
  return {
    ...sample<CommandResponseEvent>('command-response'),
    chargerId,
    clientId: chargerId,
    ...overrides,
  };
}

/** A firmware-status as the rule delivers it, from events/firmware-status.json. */
export function firmwareStatusEvent(
  chargerId: string,
  overrides: Partial<FirmwareStatusEvent> = {},
): FirmwareStatusEvent {
  return { ...sample<FirmwareStatusEvent>('firmware-status'), chargerId, clientId: chargerId, ...overrides };
}

/** A diagnostics-status as the rule delivers it, from events/diagnostics-status.json. */
export function diagnosticsStatusEvent(
  chargerId: string,
  overrides: Partial<DiagnosticsStatusEvent> = {},
): DiagnosticsStatusEvent {
  return {
    ...sample<DiagnosticsStatusEvent>('diagnostics-status'),
    chargerId,
    clientId: chargerId,
    ...overrides,
  };
}

export function scheduledEvent(): ScheduledEvent {
  return sample<ScheduledEvent>('sweeper');
}

/** The context Lambda gives one of heartbeat's functions: its remaining time counts down from its configured timeout. */
export function lambdaContext(
  functionKey:
    | 'heartbeat'
    | 'presence'
    | 'sweeper'
    | 'boot'
    | 'firmware-status'
    | 'diagnostics-status'
    | 'command-response',
  overrides: Partial<Context> = {},
): Context {
  return lambdaContextFor('heartbeat', functionKey, overrides);
}

/**
 * Records every DynamoDB command the client sends, with the capacity it consumed (it asks for
 * ReturnConsumedCapacity on each), to prove what a call costs.
 */
export function recordCommands(client: DynamoDBDocumentClient) {
  const sent: { command: string; capacityUnits: number }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args).catch((error: unknown) => {
        sent.push({ command: context.commandName ?? 'unknown', capacityUnits: 0 });
        throw error;
      });
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      sent.push({
        command: context.commandName ?? 'unknown',
        capacityUnits: output.ConsumedCapacity?.CapacityUnits ?? 0,
      });
      return result;
    },
    { step: 'initialize', name: 'recordCommands', override: true },
  );
  return {
    sent,
    names: () => sent.map((entry) => entry.command),
    clear: () => {
      sent.length = 0;
    },
  };
}
