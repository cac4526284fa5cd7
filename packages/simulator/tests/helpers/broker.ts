import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { chargerTopic, chargerTopicPermissions, parseChargerTopic } from '@evcharge/domain';
import { getCharger, type TableContext } from '@evcharge/dynamo';
import { verifyCredential } from '@evcharge/local-identity';
import { Aedes } from 'aedes';

export interface ReceivedMessage {
  clientId: string;
  topic: string;
  payload: string;
  receivedAtMs: number;
}

/** undefined: leave the request unanswered. */
export type AuthDecider = (idTag: string) => { status: string; reason?: string } | undefined;

export interface TestBroker {
  url: string;
  messages: ReceivedMessage[];
  connects: string[];
  disconnects: string[];
  refusedLogins: string[];
  /** Sessions the fake responder accepted, by chargerId. */
  acceptedSessions: Map<string, string[]>;
  /** Sends a meter/request to a charger, as the metering API would through the IoT data plane. */
  requestMeterReading: (chargerId: string, connectorId: number) => string;
  close: () => Promise<void>;
}

/**
 * An in-test aedes broker that checks the credentials the operator path stored (scrypt hash), enforces
 * the chargers' topic permissions, records every device message, and answers auth requests.
 */
export async function startTestBroker(table: TableContext, decide: AuthDecider): Promise<TestBroker> {
  const messages: ReceivedMessage[] = [];
  const connects: string[] = [];
  const disconnects: string[] = [];
  const refusedLogins: string[] = [];
  const acceptedSessions = new Map<string, string[]>();
  const broker = await Aedes.createBroker({
    maxClientsIdLength: 64,
    authenticate: (client, username, password, done) => {
      void (async () => {
        const charger = username ? await getCharger(table, username) : undefined;
        const ok =
          client.id === username &&
          charger?.credentialHash !== undefined &&
          (await verifyCredential(password?.toString() ?? '', charger.credentialHash));
        if (!ok) refusedLogins.push(client.id);
        done(null, ok);
      })();
    },
    authorizePublish: (client, packet, callback) => {
      if (client && !chargerTopicPermissions(client.id).publish.includes(packet.topic)) {
        callback(new Error(`publish to ${packet.topic} refused`));
        return;
      }
      callback(null);
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const allowed = chargerTopicPermissions(client.id).subscribe.includes(subscription.topic);
      callback(allowed ? null : new Error(`subscribe to ${subscription.topic} refused`), subscription);
    },
  });

  broker.on('client', (client) => connects.push(client.id));
  broker.on('clientDisconnect', (client) => disconnects.push(client.id));
  broker.on('publish', (packet, client) => {
    if (!client) return;
    const payload = packet.payload.toString();
    messages.push({ clientId: client.id, topic: packet.topic, payload, receivedAtMs: Date.now() });
    const parsed = parseChargerTopic(packet.topic);
    if (parsed?.kind !== 'authRequest') return;
    const request = JSON.parse(payload) as { requestId: string; idTag: string };
    const decision = decide(request.idTag);
    if (!decision) return;
    const sessionId = decision.status === 'Accepted' ? randomUUID() : undefined;
    if (sessionId)
      acceptedSessions.set(parsed.chargerId, [...(acceptedSessions.get(parsed.chargerId) ?? []), sessionId]);
    const response = {
      requestId: request.requestId,
      ...decision,
      ...(sessionId ? { sessionId } : {}),
      at: new Date().toISOString(),
    };
    broker.publish(
      {
        cmd: 'publish',
        topic: chargerTopic('authResponse', parsed.chargerId),
        payload: JSON.stringify(response),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  });

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `mqtt://127.0.0.1:${port}`,
    messages,
    connects,
    disconnects,
    refusedLogins,
    acceptedSessions,
    requestMeterReading: (chargerId, connectorId) => {
      const requestId = randomUUID();
      const payload = JSON.stringify({ requestId, connectorId, at: new Date().toISOString() });
      broker.publish(
        {
          cmd: 'publish',
          topic: chargerTopic('meterRequest', chargerId),
          payload,
          qos: 1,
          retain: false,
          dup: false,
        },
        () => undefined,
      );
      return requestId;
    },
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until the condition holds (real time). */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
