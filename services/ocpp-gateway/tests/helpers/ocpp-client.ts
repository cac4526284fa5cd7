import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

// An OCPP-J 1.6 charge point written from the specification (section 4: [2, id, action, payload] CALL,
// [3, id, payload] CALLRESULT, [4, id, code, description, details] CALLERROR) over a plain `ws` socket. It shares
// no code with the gateway's OCPP layer (ocpp-rpc).

export type Frame = [number, string, ...unknown[]];

export interface HandshakeResult {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  protocol?: string;
  socket?: WebSocket;
}

export interface ConnectOptions {
  username?: string;
  password?: string;
  /** Subprotocols offered; default ['ocpp1.6']. */
  protocols?: string[];
  /** The CA the charger trusts for wss:// (security profile 2). */
  ca?: string | Buffer;
}

/** Opens the WebSocket, or reports the HTTP answer that refused it. */
export function handshake(url: string, options: ConnectOptions = {}): Promise<HandshakeResult> {
  const headers: Record<string, string> = {};
  if (options.username !== undefined) {
    const token = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
    headers.authorization = `Basic ${token}`;
  }
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? ['ocpp1.6'], {
      headers,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode, headers: response.headers });
      socket.terminate();
    });
    socket.once('upgrade', (response) => {
      socket.once('open', () =>
        resolve({ status: 101, headers: response.headers, protocol: socket.protocol, socket }),
      );
    });
    socket.once('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

export interface RawUpgrade {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The first WebSocket frame's opcode after the upgrade (0x8: close), or 'end' when the socket just ended. */
  firstFrame: Promise<number | 'end'>;
}

/**
 * A WebSocket upgrade request written by hand (RFC 6455 section 4.1), for the cases the `ws` client refuses to
 * complete itself (a 101 without the subprotocol it offered).
 */
export function rawUpgrade(url: string, headers: Record<string, string>): Promise<RawUpgrade> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    request.once('upgrade', (response, socket, head: Buffer) => {
      const firstFrame = new Promise<number | 'end'>((settle) => {
        if (head.length > 0) settle((head[0] ?? 0) & 0x0f);
        socket.once('data', (chunk: Buffer) => settle((chunk[0] ?? 0) & 0x0f));
        socket.once('end', () => settle('end'));
        socket.once('close', () => settle('end'));
      });
      void firstFrame.finally(() => socket.destroy());
      resolve({ status: response.statusCode ?? 0, headers: response.headers, firstFrame });
    });
    request.once('response', (response) => {
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        firstFrame: Promise.resolve('end'),
      });
      response.resume();
    });
    request.once('error', reject);
    request.end();
  });
}

export const basicAuthorization = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

export class OcppTestCharger {
  readonly received: Frame[] = [];
  private readonly waiters: {
    match: (frame: Frame) => boolean;
    resolve: (frame: Frame) => void;
    reject: (error: Error) => void;
  }[] = [];
  /** How the charger answers the gateway's CALLs; default Accepted. */
  answerCall: (action: string, payload: Record<string, unknown>) => unknown = () => ({ status: 'Accepted' });

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.received.push(frame);
      if (frame[0] === 2) {
        const [, id, action, payload] = frame as [number, string, string, Record<string, unknown>];
        this.sendRaw(JSON.stringify([3, id, this.answerCall(action, payload)]));
      }
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    // Nothing more can arrive: whoever still waits hears it now, not at its timeout.
    socket.once('close', () => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('socket closed'));
    });
  }

  static async connect(url: string, options: ConnectOptions): Promise<OcppTestCharger> {
    const result = await handshake(url, options);
    if (!result.socket) throw new Error(`handshake refused: HTTP ${result.status}`);
    return new OcppTestCharger(result.socket);
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The first frame matching, among those received from index `from` on (and those still to come). */
  next(match: (frame: Frame) => boolean, timeoutMs = 15_000, from = 0): Promise<Frame> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame in time')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Sends a CALL and waits for the reply with its unique id (CALLRESULT or CALLERROR). */
  async call(
    action: string,
    payload: unknown,
    uniqueId: string = randomUUID(),
    timeoutMs?: number,
  ): Promise<Frame> {
    const from = this.received.length;
    this.sendRaw(JSON.stringify([2, uniqueId, action, payload]));
    return this.next((frame) => (frame[0] === 3 || frame[0] === 4) && frame[1] === uniqueId, timeoutMs, from);
  }

  repliesTo(uniqueId: string): Frame[] {
    return this.received.filter((frame) => (frame[0] === 3 || frame[0] === 4) && frame[1] === uniqueId);
  }

  callsReceived(action: string): Frame[] {
    return this.received.filter((frame) => frame[0] === 2 && frame[2] === action);
  }

  /** Stops reading the socket (ws's own pause): pings are no longer answered, as by a hung charge point. */
  stopReading(): void {
    this.socket.pause();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
