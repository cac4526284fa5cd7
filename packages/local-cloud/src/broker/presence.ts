import { randomUUID } from 'node:crypto';

export interface PresenceSession {
  clientId: string;
  principal: string;
  ipAddress: string | undefined;
  sessionIdentifier: string;
}

/** Builds AWS IoT lifecycle events with a versionNumber that increases per client id. */
export class PresenceEvents {
  private readonly versions = new Map<string, number>();

  session(clientId: string, principal: string, ipAddress: string | undefined): PresenceSession {
    return { clientId, principal, ipAddress, sessionIdentifier: randomUUID() };
  }

  connected(session: PresenceSession, now = Date.now()): { topic: string; payload: Record<string, unknown> } {
    return {
      topic: `$aws/events/presence/connected/${session.clientId}`,
      payload: {
        clientId: session.clientId,
        timestamp: now,
        eventType: 'connected',
        sessionIdentifier: session.sessionIdentifier,
        principalIdentifier: session.principal,
        ...(session.ipAddress ? { ipAddress: session.ipAddress } : {}),
        versionNumber: this.nextVersion(session.clientId),
      },
    };
  }

  disconnected(
    session: PresenceSession,
    clientInitiatedDisconnect: boolean,
    disconnectReason: string,
    now = Date.now(),
  ): { topic: string; payload: Record<string, unknown> } {
    return {
      topic: `$aws/events/presence/disconnected/${session.clientId}`,
      payload: {
        clientId: session.clientId,
        timestamp: now,
        eventType: 'disconnected',
        clientInitiatedDisconnect,
        sessionIdentifier: session.sessionIdentifier,
        principalIdentifier: session.principal,
        disconnectReason,
        versionNumber: this.nextVersion(session.clientId),
      },
    };
  }

  private nextVersion(clientId: string): number {
    const version = this.versions.get(clientId) ?? 0;
    this.versions.set(clientId, version + 1);
    return version;
  }
}
