import type { CloudTopicKind, DeviceTopicKind } from '@evcharge/domain';
import type { CredentialLookup } from '../../src/credential-store.js';
import type { UpstreamConnector, UpstreamLink } from '../../src/upstream/upstream.js';

// An in-memory cloud for the gateway's integration tests: it records what each charger publishes, answers
// requests the way the services do (or stays silent), and pushes cloud → charger messages.

export interface Published {
  chargerId: string;
  kind: DeviceTopicKind;
  payload: Record<string, unknown>;
}

type Answerer = (published: Published) => { kind: CloudTopicKind; payload: object } | undefined;

const now = () => new Date().toISOString();

export const serviceLikeAnswers: Answerer = ({ kind, payload }) => {
  const requestId = payload.requestId as string;
  switch (kind) {
    case 'boot':
      return {
        kind: 'bootResponse',
        payload: {
          requestId,
          status: 'Accepted',
          currentTime: now(),
          interval: 300,
          meterValueSampleInterval: 900,
          at: now(),
        },
      };
    case 'authorize':
      return {
        kind: 'authorizeResponse',
        payload: { requestId, idTagInfo: { status: 'Accepted' }, at: now() },
      };
    case 'transactionStart':
      return {
        kind: 'transactionStartResponse',
        payload: { requestId, transactionId: 42, idTagInfo: { status: 'Accepted' }, at: now() },
      };
    case 'transactionStop':
      return { kind: 'transactionStopResponse', payload: { requestId, at: now() } };
    default:
      return undefined;
  }
};

export class FakeCloud implements UpstreamConnector {
  readonly published: Published[] = [];
  answer: Answerer = serviceLikeAnswers;
  /** When false, publishes never get their PUBACK. */
  acknowledges = true;
  private readonly links = new Map<string, (kind: CloudTopicKind, payload: unknown) => void>();

  async connect(chargerId: string): Promise<UpstreamLink> {
    const listeners: ((kind: CloudTopicKind, payload: unknown) => void)[] = [];
    this.links.set(chargerId, (kind, payload) => {
      for (const listener of listeners) listener(kind, payload);
    });
    return {
      publish: async (kind, payload) => {
        if (!this.acknowledges) return new Promise<void>(() => undefined);
        const published = { chargerId, kind, payload: payload as Record<string, unknown> };
        this.published.push(published);
        const reply = this.answer(published);
        if (reply) setTimeout(() => this.push(chargerId, reply.kind, reply.payload), 5);
      },
      onCloudMessage: (listener) => void listeners.push(listener),
      onLost: () => undefined,
      close: async () => {
        this.links.delete(chargerId);
      },
    };
  }

  push(chargerId: string, kind: CloudTopicKind, payload: object): void {
    this.links.get(chargerId)?.(kind, payload);
  }

  of(kind: DeviceTopicKind): Published[] {
    return this.published.filter((published) => published.kind === kind);
  }
}

/** Chargers and their credential hashes, as the table would hold them. */
export function credentialsOf(hashes: Record<string, string | undefined>): CredentialLookup {
  return {
    credentialOf: async (chargerId) =>
      chargerId in hashes
        ? { ...(hashes[chargerId] ? { ocppCredentialHash: hashes[chargerId] } : {}) }
        : undefined,
  };
}
