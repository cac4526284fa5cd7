import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import {
  type CloudTopicKind,
  chargerTopic,
  chargerTopicPermissions,
  cloudToDeviceTopics,
  deviceToCloudTopics,
  parseChargerTopic,
} from '@evcharge/domain';
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
  /** Publishes any cloud → device message to a charger (remote start/stop, commands). */
  sendToCharger: (kind: CloudTopicKind, chargerId: string, payload: object) => void;
  /** v2 transactions the fake responder numbered, by chargerId. */
  transactions: Map<
    string,
    { transactionId: number; sessionId?: string; idTag: string; connectorId: number }[]
  >;
  close: () => Promise<void>;
}

/** Every topic of the contract, both ways: for tests of paths the contract defines but does not grant yet. */
export function allContractTopics(chargerId: string): { publish: string[]; subscribe: string[] } {
  const of = (kinds: string[]) => kinds.map((kind) => chargerTopic(kind as CloudTopicKind, chargerId));
  return { publish: of(Object.keys(deviceToCloudTopics)), subscribe: of(Object.keys(cloudToDeviceTopics)) };
}

export interface TestBrokerOptions {
  /** What a charger may publish and subscribe to (default: the contract's grants). */
  permissions?: (chargerId: string) => { publish: string[]; subscribe: string[] };
  /** The boot answer's status (default Accepted). */
  bootStatus?: 'Accepted' | 'Pending' | 'Rejected';
  /** How transaction/start is decided, when not as authorize is (a tag blocked in between). */
  decideStart?: AuthDecider;
}

/**
 * An in-test aedes broker that checks the credentials the operator path stored (scrypt hash), enforces
 * the chargers' topic permissions, records every device message, and answers as a fake cloud: v1 auth
 * requests, and v2 boot, authorize and transaction start/stop (transactionIds from its own counter).
 */
export async function startTestBroker(
  table: TableContext,
  decide: AuthDecider,
  options: TestBrokerOptions = {},
): Promise<TestBroker> {
  const permissions = options.permissions ?? chargerTopicPermissions;
  const transactions: TestBroker['transactions'] = new Map();
  let lastTransactionId = 0;
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
      if (client && !permissions(client.id).publish.includes(packet.topic)) {
        callback(new Error(`publish to ${packet.topic} refused`));
        return;
      }
      callback(null);
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const allowed = permissions(client.id).subscribe.includes(subscription.topic);
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
    if (!parsed) return;
    let request: V2Request & { requestId: string; idTag: string };
    try {
      request = JSON.parse(payload) as typeof request;
    } catch {
      return; // a deliberate bad input: the services dead-letter it, nothing answers
    }
    if (parsed.kind !== 'authRequest') {
      answerV2(parsed.chargerId, parsed.kind, request);
      return;
    }
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

  type V2Request = { requestId?: string; idTag?: string; connectorId?: number; transactionId?: number };
  const publishTo = (kind: CloudTopicKind, chargerId: string, body: object) =>
    broker.publish(
      {
        cmd: 'publish',
        topic: chargerTopic(kind, chargerId),
        payload: JSON.stringify(body),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  /** Answers a v2 request as the services do; undefined from the decider leaves it unanswered. */
  function answerV2(chargerId: string, kind: string, request: V2Request): void {
    const at = new Date().toISOString();
    const { requestId } = request;
    if (!requestId) return;
    if (kind === 'boot') {
      const status = options.bootStatus ?? 'Accepted';
      publishTo('bootResponse', chargerId, {
        requestId,
        status,
        currentTime: at,
        interval: 300,
        meterValueSampleInterval: 900,
        at,
      });
      return;
    }
    if (kind === 'authorize' || kind === 'transactionStart') {
      const decision = (kind === 'transactionStart' ? (options.decideStart ?? decide) : decide)(
        request.idTag ?? '',
      );
      if (!decision) return;
      const status = decision.status === 'Unavailable' ? 'Invalid' : decision.status;
      if (kind === 'authorize') {
        publishTo('authorizeResponse', chargerId, { requestId, idTagInfo: { status }, at });
        return;
      }
      lastTransactionId++;
      const sessionId = status === 'Accepted' ? randomUUID() : undefined;
      transactions.set(chargerId, [
        ...(transactions.get(chargerId) ?? []),
        {
          transactionId: lastTransactionId,
          ...(sessionId ? { sessionId } : {}),
          idTag: request.idTag ?? '',
          connectorId: request.connectorId ?? 0,
        },
      ]);
      publishTo('transactionStartResponse', chargerId, {
        requestId,
        transactionId: lastTransactionId,
        ...(sessionId ? { sessionId } : {}),
        idTagInfo: { status },
        at,
      });
      return;
    }
    if (kind === 'transactionStop') publishTo('transactionStopResponse', chargerId, { requestId, at });
  }

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
    sendToCharger: publishTo,
    transactions,
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
