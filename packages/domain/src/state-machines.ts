import type { PlugEventKind, UnavailableReason } from './contract/device.js';
import type { SessionStatus } from './contract/http.js';
import type { ChargePointStatus } from './contract/ocpp.js';
import type { ConnectorStatus } from './entities.js';

// Connector and session state machines in OCPP 1.6 vocabulary. Pure: callers load state, apply, and
// persist the result with conditions that the state they loaded is still the state in the table.

export interface ConnectorState {
  plugged: boolean;
  faulted: boolean;
  /** A v2 status `Unavailable` (absent on v1 connectors): refuses new sessions like `faulted`. */
  unavailable?: boolean | undefined;
  /** The whole charger (v2 status of connector 0) is `Faulted` or `Unavailable`: no connector takes a session. */
  chargerUnavailable?: boolean | undefined;
  activeSessionId?: string | undefined;
}

export interface ActiveSession {
  sessionId: string;
  status: SessionStatus;
}

/** The OCPP status is derived, never stored independently, so it cannot drift from the facts. */
export function connectorStatusOf(connector: ConnectorState, activeSession?: ActiveSession): ConnectorStatus {
  if (connector.faulted) return 'Faulted';
  if (connector.unavailable) return 'Unavailable';
  if (activeSession?.status === 'Charging') return 'Charging';
  if (activeSession?.status === 'Authorized' || connector.plugged) return 'Preparing';
  return 'Available';
}

const sessionTransitions: Record<SessionStatus, readonly SessionStatus[]> = {
  Authorized: ['Charging', 'Completed', 'Expired'],
  Charging: ['Completed'],
  Completed: [],
  Expired: [],
};

export function canTransitionSession(from: SessionStatus, to: SessionStatus): boolean {
  return sessionTransitions[from].includes(to);
}

export function isActiveSessionStatus(status: SessionStatus): boolean {
  return status === 'Authorized' || status === 'Charging';
}

export interface SessionChange {
  sessionId: string;
  from: SessionStatus;
  to: SessionStatus;
}

export type PlugOutcome =
  | { applied: true; connector: ConnectorState; status: ConnectorStatus; sessionChange?: SessionChange }
  | { applied: false; reason: 'already-plugged' | 'not-plugged' };

/**
 * What a plug event does to a connector and its active session.
 * plugged:   Available → Preparing; an Authorized session starts Charging (connector Charging).
 * unplugged: → Available; an active session is Completed and the connector released.
 * A repeated state (plugged twice, unplug while unplugged) is recorded by the caller, not applied.
 */
export function applyPlugEvent(
  connector: ConnectorState,
  event: PlugEventKind,
  activeSession?: ActiveSession,
): PlugOutcome {
  if (event === 'plugged') {
    if (connector.plugged) return { applied: false, reason: 'already-plugged' };
    const next: ConnectorState = { ...connector, plugged: true };
    // A faulted connector cannot deliver energy: the session stays Authorized (and times out) instead of Charging.
    if (activeSession?.status === 'Authorized' && !connector.faulted) {
      const charging: ActiveSession = { ...activeSession, status: 'Charging' };
      return {
        applied: true,
        connector: next,
        status: connectorStatusOf(next, charging),
        sessionChange: { sessionId: activeSession.sessionId, from: 'Authorized', to: 'Charging' },
      };
    }
    return { applied: true, connector: next, status: connectorStatusOf(next, activeSession) };
  }

  if (!connector.plugged) return { applied: false, reason: 'not-plugged' };
  const next: ConnectorState = {
    plugged: false,
    faulted: connector.faulted,
    ...(connector.unavailable ? { unavailable: true } : {}),
  };
  if (activeSession && isActiveSessionStatus(activeSession.status)) {
    return {
      applied: true,
      connector: next,
      status: connectorStatusOf(next),
      sessionChange: { sessionId: activeSession.sessionId, from: activeSession.status, to: 'Completed' },
    };
  }
  return { applied: true, connector: next, status: connectorStatusOf(next) };
}

/** The statuses that say whether a vehicle is connected; the others (Preparing, Reserved, Unavailable, Faulted) do not. */
const pluggedByOcppStatus: Partial<Record<ChargePointStatus, boolean>> = {
  Available: false,
  Charging: true,
  SuspendedEV: true,
  SuspendedEVSE: true,
  Finishing: true,
};

/**
 * What a v2 status (StatusNotification) does to a connector, on the same facts plug events move:
 * `Faulted` sets `faulted`, `Unavailable` sets `unavailable`, any other status clears both; a status that
 * says whether a vehicle is connected moves `plugged`, unless the connector holds a session: sessions are
 * started and ended by plug events and transactions only, so a status never moves the facts they read.
 */
export function applyConnectorStatus(
  connector: ConnectorState,
  status: ChargePointStatus,
  activeSession?: ActiveSession,
): { connector: ConnectorState; status: ConnectorStatus } {
  const pluggedByStatus = connector.activeSessionId ? undefined : pluggedByOcppStatus[status];
  const next: ConnectorState = {
    ...connector,
    plugged: pluggedByStatus ?? connector.plugged,
    faulted: status === 'Faulted',
    unavailable: status === 'Unavailable',
  };
  return { connector: next, status: connectorStatusOf(next, activeSession) };
}

export type ConnectorAvailability =
  | { available: true; initialSessionStatus: 'Authorized' | 'Charging' }
  | { available: false; reason: UnavailableReason };

/** Whether a connector can take a new session, and in which status that session starts. */
export function connectorAvailability(connector: ConnectorState | undefined): ConnectorAvailability {
  if (!connector) return { available: false, reason: 'connector-unknown' };
  if (connector.faulted) return { available: false, reason: 'connector-faulted' };
  if (connector.unavailable || connector.chargerUnavailable) {
    return { available: false, reason: 'connector-unavailable' };
  }
  if (connector.activeSessionId) return { available: false, reason: 'connector-busy' };
  return { available: true, initialSessionStatus: connector.plugged ? 'Charging' : 'Authorized' };
}

export const DEFAULT_CONNECTION_TIMEOUT_S = 120;

/** An Authorized session that was never plugged expires after the connection timeout. */
export function isSessionExpired(
  session: { status: SessionStatus; startedAt: string },
  now: Date,
  connectionTimeoutS = DEFAULT_CONNECTION_TIMEOUT_S,
): boolean {
  return (
    session.status === 'Authorized' &&
    now.getTime() - Date.parse(session.startedAt) >= connectionTimeoutS * 1000
  );
}
