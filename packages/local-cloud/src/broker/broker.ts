import { createServer, type Server, type Socket } from 'node:net';
import { chargerTopicPermissions } from '@evcharge/domain';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { PresenceEvents, type PresenceSession } from './presence.js';

export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  clientId: string;
  principal: string;
}

export interface LocalBrokerOptions {
  port: number;
  /** Checks a charger's password against its registered credential. */
  verifyCharger: (chargerId: string, password: string) => Promise<boolean>;
  /**
   * Checks a site gateway acting for a charger (username = gatewayId, client id = chargerId): its own
   * credential, and that the charger is assigned to it. The charger's topic permissions apply as if it
   * had connected itself.
   */
  verifyGateway?: (gatewayId: string, password: string, chargerId: string) => Promise<boolean>;
  /** Every accepted publish (device, data plane, lifecycle), for the rules engine and counters. */
  onMessage: (message: BrokerMessage) => void;
  log: (line: string) => void;
  onRefused?: (kind: 'connect' | 'publish' | 'subscribe') => void;
  /** The stage whose Basic Ingest topics (`$aws/rules/<service>_<stage>_<rule>/…`) chargers may publish. */
  basicIngestStage?: string;
}

export interface LocalBroker {
  port: number;
  url: string;
  publish: (topic: string, payload: Buffer | string, qos?: 0 | 1) => Promise<void>;
  connectedClients: () => number;
  close: () => Promise<void>;
}

// IoT Core's limit; a larger publish disconnects the client.
const maxPayloadBytes = 128 * 1024;
const badCredentials = 4;
const identifierRejected = 2;

/** The IoT Core device gateway stand-in: aedes with charger credentials, the IoT policy, and lifecycle events. */
export async function startBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const presence = new PresenceEvents();
  const sessions = new Map<Client, PresenceSession>();
  const disconnectReasons = new Map<Client, string>();
  const route = { basicIngestStage: options.basicIngestStage };
  const broker = await Aedes.createBroker({
    maxClientsIdLength: 128,
    heartbeatInterval: 60_000,
    authenticate: (client, username, password, done) => {
      const refuse = (returnCode: number, why: string) => {
        options.log(`broker: refused connection of '${client.id}': ${why}`);
        options.onRefused?.('connect');
        const error = new Error(why) as AuthenticateError;
        error.returnCode = returnCode;
        done(error, false);
      };
      if (!username || (username !== client.id && !options.verifyGateway)) {
        refuse(identifierRejected, 'client id must equal the username (the chargerId)');
        return;
      }
      const secret = password?.toString('utf8') ?? '';
      const verified =
        username === client.id
          ? options.verifyCharger(username, secret)
          : (options.verifyGateway?.(username, secret, client.id) ?? Promise.resolve(false));
      verified
        .then((valid) => {
          if (!valid) return refuse(badCredentials, 'bad username or password');
          // IoT Core drops the older connection of a client id that connects again.
          for (const existing of sessions.keys()) {
            if (existing.id === client.id && existing !== client)
              disconnectReasons.set(existing, 'DUPLICATE_CLIENTID');
          }
          done(null, true);
        })
        .catch((error: unknown) => refuse(badCredentials, `credential check failed: ${String(error)}`));
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null);
      if (packet.payload.length > maxPayloadBytes) {
        options.log(`broker: refused publish by '${client.id}' to '${packet.topic}': payload over 128 KB`);
        options.onRefused?.('publish');
        disconnectReasons.set(client, 'MESSAGE_SIZE_EXCEEDED');
        return callback(new Error('payload over 128 KB'));
      }
      if (chargerTopicPermissions(client.id, route).publish.includes(packet.topic)) return callback(null);
      options.log(`broker: refused publish by '${client.id}' to '${packet.topic}'`);
      options.onRefused?.('publish');
      disconnectReasons.set(client, 'AUTHORIZATION_ERROR');
      callback(new Error(`not authorized to publish to ${packet.topic}`));
    },
    authorizeSubscribe: (client, subscription, callback) => {
      if (chargerTopicPermissions(client.id).subscribe.includes(subscription.topic))
        return callback(null, subscription);
      options.log(`broker: refused subscribe by '${client.id}' to '${subscription.topic}'`);
      options.onRefused?.('subscribe');
      callback(null, null);
    },
    published: (packet, client, callback) => {
      if (!packet.topic.startsWith('$SYS')) {
        options.onMessage({
          topic: packet.topic,
          payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
          clientId: client?.id ?? '',
          principal: client ? (sessions.get(client)?.principal ?? client.id) : '',
        });
      }
      callback(null);
    },
  });

  // Once closing, late publishes (presence of clients dropped by the close) are discarded, not thrown:
  // aedes' emitter throws synchronously after close, which used to crash the process on stop().
  let closing = false;
  const publish = (topic: string, payload: Buffer | string, qos: 0 | 1 = 0) =>
    new Promise<void>((resolve, reject) => {
      if (closing) {
        resolve();
        return;
      }
      broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
          qos,
          retain: false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });

  broker.on('clientReady', (client) => {
    const address = (client.conn as { remoteAddress?: string }).remoteAddress;
    const session = presence.session(client.id, client.id, address?.replace(/^::ffff:/, ''));
    sessions.set(client, session);
    const event = presence.connected(session);
    void publish(event.topic, JSON.stringify(event.payload));
  });
  broker.on('keepaliveTimeout', (client) => disconnectReasons.set(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
  broker.on('clientError', (client) => {
    if (!disconnectReasons.has(client)) disconnectReasons.set(client, 'CONNECTION_LOST');
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    sessions.delete(client);
    if (!session) return;
    const clean = (client as Client & { _disconnected?: boolean })._disconnected === true;
    const reason = clean
      ? 'CLIENT_INITIATED_DISCONNECT'
      : (disconnectReasons.get(client) ?? 'CONNECTION_LOST');
    disconnectReasons.delete(client);
    const event = presence.disconnected(session, clean, reason);
    void publish(event.topic, JSON.stringify(event.payload));
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    publish,
    connectedClients: () => broker.connectedClients,
    close: async () => {
      closing = true;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
