import type { CloudTopicKind, DeviceTopicKind } from '@evcharge/domain';

/** One charger's link to the cloud, as the charger itself (client id = chargerId). */
export interface UpstreamLink {
  /** Resolves once the cloud has the message (MQTT PUBACK, QoS 1). */
  publish(kind: DeviceTopicKind, payload: object): Promise<void>;
  /** Cloud → charger messages, already checked against their topic's schema. */
  onCloudMessage(listener: (kind: CloudTopicKind, payload: unknown) => void): void;
  /** Called once if the link drops without close() (a broker outage, or a takeover of the client id). */
  onLost(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

export interface UpstreamConnector {
  connect(chargerId: string): Promise<UpstreamLink>;
}

/** What the gateway presents to the broker when acting for a charger. */
export interface UpstreamCredentials {
  username: string;
  password: string;
}

/** Where those credentials come from: per charger today, one gateway credential once the broker knows gateways. */
export type UpstreamCredentialSource = (chargerId: string) => Promise<UpstreamCredentials>;
