import { createServer, type IncomingMessage, type RequestListener, STATUS_CODES } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { RPCServer } from 'ocpp-rpc';
import { ChargerSession, statusResyncSet } from './charger-session.js';
import type { CredentialLookup } from './credential-store.js';
import { decideHandshake, OCPP_SUBPROTOCOL } from './handshake.js';
import { type Logger, silentLogger } from './log.js';
import type { OcppConnection } from './ocpp/connection.js';
import { ocpp16StrictValidator } from './ocpp/strict-validator.js';
import type { UpstreamConnector } from './upstream/upstream.js';

export interface GatewayOptions {
  port: number;
  host?: string;
  credentials: CredentialLookup;
  upstream: UpstreamConnector;
  /** A charger's CALL waits this long for the cloud (PUBACK or answer) before InternalError. Default 20 s. */
  cloudAnswerTimeoutMs?: number;
  /** A gateway → charger CALL waits this long for its answer. Default 30 s. */
  chargerCallTimeoutMs?: number;
  /** WebSocket pings; keep it under a load balancer's idle timeout. Default 30 s. */
  pingIntervalMs?: number;
  /** PEM certificate (chain) and key: the gateway terminates TLS itself (wss://, security profile 2). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** A larger frame closes the connection (1009). Default 256 KB. */
  maxFrameBytes?: number;
  log?: Logger;
  clock?: () => Date;
}

export interface Gateway {
  port: number;
  /** The URL a charger connects to: ws://host:port/ocpp/{chargerId} (wss:// with TLS). */
  urlFor(chargerId: string): string;
  connectedChargers(): string[];
  close(): Promise<void>;
}

/** Writes an HTTP answer to an upgrade request instead of switching protocols, and hangs up. */
function refuseUpgrade(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    ...Object.entries({ ...headers, Connection: 'close', 'Content-Length': '0' }).map(
      ([name, value]) => `${name}: ${value}`,
    ),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? silentLogger;
  const sessions = new Map<string, ChargerSession>();
  const statusResync = statusResyncSet();
  const connections = new Map<string, OcppConnection>();
  const accepted = new WeakMap<IncomingMessage, { chargerId: string; subprotocol: string | false }>();

  const rpc = new RPCServer({
    protocols: [OCPP_SUBPROTOCOL],
    strictMode: true,
    strictModeValidators: [ocpp16StrictValidator()],
    callConcurrency: 1,
    callTimeoutMs: options.chargerCallTimeoutMs ?? 30_000,
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    respondWithDetailedErrors: false,
    // OCPP messages are small (a meter message is split at 8 KB); ws would otherwise take 100 MiB frames.
    wssOptions: { maxPayload: options.maxFrameBytes ?? 256 * 1024 },
  });
  // The handshake is decided before ocpp-rpc sees the request (it cannot send WWW-Authenticate on a 401).
  rpc.auth((accept, reject, handshake) => {
    const decision = accepted.get(handshake.request as IncomingMessage);
    if (!decision) return reject(404, 'Not Found');
    accept({ chargerId: decision.chargerId }, decision.subprotocol);
  });

  rpc.on(
    'client',
    (client: OcppConnection & { protocol?: string; once: (e: string, l: () => void) => void }) => {
      const chargerId = client.identity;
      if (client.protocol !== OCPP_SUBPROTOCOL) {
        // OCPP-J 1.6 section 3.1.2: completed without a subprotocol, then closed at once.
        void client.close({ code: 1002, reason: `subprotocol ${OCPP_SUBPROTOCOL} required` });
        log.warn('connection without the ocpp1.6 subprotocol closed', { chargerId });
        return;
      }
      const previous = sessions.get(chargerId);
      if (previous) log.info('second connection replaces the first', { chargerId });
      const session = new ChargerSession(
        chargerId,
        client,
        () => options.upstream.connect(chargerId),
        { cloudAnswerTimeoutMs: options.cloudAnswerTimeoutMs ?? 20_000, triggerWindowMs: 30_000 },
        log,
        options.clock,
        statusResync,
      );
      sessions.set(chargerId, session);
      void previous?.close();
      connections.get(chargerId)?.close({ code: 1000, reason: 'replaced by a new connection' });
      connections.set(chargerId, client);
      log.info('charger connected', { chargerId });
      client.once('close', () => {
        if (sessions.get(chargerId) === session) sessions.delete(chargerId);
        if (connections.get(chargerId) === client) connections.delete(chargerId);
        void session.close();
        log.info('charger disconnected', { chargerId });
      });
    },
  );
  const notFound: RequestListener = (_request, response) => {
    response.writeHead(404, { Connection: 'close' }).end();
  };
  const server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, notFound)
    : createServer(notFound);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    decideHandshake(request, options.credentials)
      .then((decision) => {
        if (!decision.accept) {
          log.warn('handshake refused', {
            status: decision.status,
            reason: decision.reason,
            path: request.url,
          });
          const headers: Record<string, string> =
            decision.status === 401 ? { 'WWW-Authenticate': 'Basic realm="OCPP", charset="UTF-8"' } : {};
          return refuseUpgrade(socket, decision.status, headers);
        }
        accepted.set(request, { chargerId: decision.chargerId, subprotocol: decision.subprotocol });
        return rpc.handleUpgrade(request, socket as Socket, head);
      })
      .catch((error: unknown) => {
        log.error('handshake failed', { error: String(error), path: request.url });
        refuseUpgrade(socket, 503);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    port,
    urlFor: (chargerId) =>
      `${options.tls ? 'wss' : 'ws'}://${host}:${port}/ocpp/${encodeURIComponent(chargerId)}`,
    connectedChargers: () => [...sessions.keys()],
    async close() {
      await rpc.close({ code: 1001, reason: 'gateway stopping', force: true });
      await Promise.all([...sessions.values()].map((session) => session.close()));
      sessions.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
