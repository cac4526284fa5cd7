import {
  type AuthStatus,
  authStatuses,
  type CloudTopicKind,
  type CommandAction,
  cloudToDeviceTopics,
  commandActions,
  type DeviceTopicKind,
  deviceToCloudTopics,
  type RegistrationStatus,
  registrationStatuses,
  type StopReason,
  stopReasons,
} from '@evcharge/domain';
import { type BadInputKind, badInputKinds } from './payloads.js';

export type AuthOutcome = AuthStatus | 'NoResponse';

export interface FleetStats {
  chargers: number;
  /** Chargers by the protocol they speak. */
  protocols: FleetProtocols;
  /** MQTT connections currently up. */
  connected: number;
  /** Chargers deliberately offline right now (disconnected or silent). */
  offline: number;
  offlineEpisodes: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  sessionsActive: number;
  authDecisions: Record<AuthOutcome, number>;
  /** Valid messages published, by topic kind (bad inputs are counted separately). */
  messagesSent: Record<DeviceTopicKind, number>;
  messagesReceived: Record<CloudTopicKind, number>;
  meterRequestsAnswered: number;
  /** Deliberately bad inputs: the only messages that may end up as dead letters. */
  badInputsSent: number;
  badInputsByKind: Record<BadInputKind, number>;
  /** Sum of register deltas over completed and running sessions. */
  energyDeliveredWh: number;
  /** v2: boot answers (a Pending charger boots again after the interval). */
  bootDecisions: Record<RegistrationStatus | 'NoResponse', number>;
  /** v2: transactions the cloud numbered, refused for their tag (stopped at once), or left unanswered. */
  transactions: {
    started: number;
    refused: number;
    unanswered: number;
    stopReasons: Record<StopReason, number>;
  };
  /** v2: Faulted episodes (each followed by its recovery). */
  faults: number;
  remoteRequests: { accepted: number; rejected: number };
  commands: Record<CommandAction, number>;
  /** Remote requests and commands that arrived after their expiresAt: dropped, never executed. */
  expiredDropped: number;
  /** OCPP 1.6J chargers: CALLs sent and received by action, and CALLs that failed (CALLERROR, timeout, closed). */
  ocpp: { callsSent: Record<string, number>; callsReceived: Record<string, number>; callErrors: number };
  /** Injected episodes (src/anomalies.ts): finished, per kind (also in the ground truth), not yet run, skipped. */
  anomalies: { injected: Record<string, number>; pending: number; skipped: number };
  /** MQTT chargers' delivery chaos: messages sent twice, readings overtaken by the next message. */
  delivery: { duplicated: number; reordered: number };
  errors: number;
  recentErrors: string[];
}

export interface FleetProtocols {
  v1: number;
  v2: number;
  /** OCPP 1.6J over WebSocket, through the gateway. */
  ocpp: number;
}

const zeroes = <Key extends string>(keys: readonly Key[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;

export function emptyStats(protocols: FleetProtocols): FleetStats {
  return {
    chargers: protocols.v1 + protocols.v2 + protocols.ocpp,
    protocols: { ...protocols },
    connected: 0,
    offline: 0,
    offlineEpisodes: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    sessionsActive: 0,
    authDecisions: zeroes([...authStatuses, 'NoResponse']),
    messagesSent: zeroes(Object.keys(deviceToCloudTopics) as DeviceTopicKind[]),
    messagesReceived: zeroes(Object.keys(cloudToDeviceTopics) as CloudTopicKind[]),
    meterRequestsAnswered: 0,
    badInputsSent: 0,
    badInputsByKind: zeroes(badInputKinds),
    energyDeliveredWh: 0,
    bootDecisions: zeroes([...registrationStatuses, 'NoResponse']),
    transactions: { started: 0, refused: 0, unanswered: 0, stopReasons: zeroes(stopReasons) },
    faults: 0,
    remoteRequests: { accepted: 0, rejected: 0 },
    commands: zeroes(commandActions),
    expiredDropped: 0,
    ocpp: { callsSent: {}, callsReceived: {}, callErrors: 0 },
    anomalies: { injected: {}, pending: 0, skipped: 0 },
    delivery: { duplicated: 0, reordered: 0 },
    errors: 0,
    recentErrors: [],
  };
}

const RECENT_ERRORS = 20;

export function recordError(stats: FleetStats, line: string): void {
  stats.errors++;
  stats.recentErrors.push(line);
  if (stats.recentErrors.length > RECENT_ERRORS) stats.recentErrors.shift();
}

export function snapshot(stats: FleetStats): FleetStats {
  return structuredClone(stats);
}
