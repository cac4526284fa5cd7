import { chargerTopic, type DeviceTopicKind, grantedCloudTopics, grantedDeviceTopics } from './topics.js';

// IoT Basic Ingest: a device that publishes to `$aws/rules/<rule>/<topic>` reaches that one rule directly,
// without the message broker and its messaging charge. The contract's two high-volume topics (heartbeats,
// meter readings) are read by exactly one rule each, so a charger may send them that way; everything else
// stays on the broker (answers, commands, and what the gateway must see). Rule names carry the deploy's
// stage (`<service>_<stage>_<rule>`, as each service's serverless.yml names them; a test holds the two equal),
// so a device learns one value, the stage, from its provisioning (`npm run chargers -- topics`).

/** The device topics that may go through Basic Ingest, and the service and rule that read each. */
export const basicIngestRules = {
  heartbeat: { service: 'heartbeat', rule: 'heartbeat' },
  meter: { service: 'metering', rule: 'meter' },
} as const satisfies Partial<Record<DeviceTopicKind, { service: string; rule: string }>>;

export type BasicIngestKind = keyof typeof basicIngestRules;

/** How a device publishes: through the broker only, or its Basic Ingest topics for this deploy's stage. */
export interface IngestRoute {
  basicIngestStage?: string | undefined;
}

const isBasicIngestKind = (kind: string): kind is BasicIngestKind => kind in basicIngestRules;

/** The IoT rule name that reads a Basic Ingest kind in a stage (IoT rule names: [a-zA-Z0-9_]). */
export function basicIngestRuleName(kind: BasicIngestKind, stage: string): string {
  const { service, rule } = basicIngestRules[kind];
  return `${service}_${stage}_${rule}`.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** `$aws/rules/<rule>/chargers/<id>/<kind>` */
export function basicIngestTopic(kind: BasicIngestKind, chargerId: string, stage: string): string {
  return `$aws/rules/${basicIngestRuleName(kind, stage)}/${chargerTopic(kind, chargerId)}`;
}

/** The topic a device publishes `kind` to: its Basic Ingest topic when the route has a stage and one exists. */
export function deviceTopic(kind: DeviceTopicKind, chargerId: string, route: IngestRoute = {}): string {
  return route.basicIngestStage !== undefined && isBasicIngestKind(kind)
    ? basicIngestTopic(kind, chargerId, route.basicIngestStage)
    : chargerTopic(kind, chargerId);
}

/** Splits a Basic Ingest topic into the rule it names and the topic the rule sees (topic() has no prefix). */
export function parseBasicIngestTopic(topic: string): { ruleName: string; topic: string } | undefined {
  const match = /^\$aws\/rules\/([a-zA-Z0-9_]+)\/(.+)$/.exec(topic);
  return match?.[1] && match[2] ? { ruleName: match[1], topic: match[2] } : undefined;
}

/**
 * What a charger may publish and subscribe to: its own device topics up (and, in a stage, their Basic Ingest
 * topics), its own command topics down.
 */
export function chargerTopicPermissions(
  chargerId: string,
  route: IngestRoute = {},
): { publish: string[]; subscribe: string[] } {
  const stage = route.basicIngestStage;
  return {
    publish: [
      ...grantedDeviceTopics.map((kind) => chargerTopic(kind, chargerId)),
      ...(stage === undefined
        ? []
        : (Object.keys(basicIngestRules) as BasicIngestKind[]).map((kind) =>
            basicIngestTopic(kind, chargerId, stage),
          )),
    ],
    subscribe: grantedCloudTopics.map((kind) => chargerTopic(kind, chargerId)),
  };
}
