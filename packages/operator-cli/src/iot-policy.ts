import {
  type BasicIngestKind,
  basicIngestRuleName,
  basicIngestRules,
  cloudToDeviceTopics,
  deviceToCloudTopics,
  grantedCloudTopics,
  grantedDeviceTopics,
} from '@evcharge/domain';

// The production IoT Core policy for chargers, and a small evaluator of IoT policy documents, so one
// table of allowed/denied cases (policy-cases.ts) checks both this policy and the local broker.

// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, not a JS template.
export const THING_NAME_VARIABLE = '${iot:Connection.Thing.ThingName}';
/**
 * In topic resources: the connection's client id, which the Connect statement pins to the thing name, so
 * it names the same charger in 15 characters instead of 33 (the policy document is limited to 2,048).
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, not a JS template.
export const CLIENT_ID_VARIABLE = '${iot:ClientId}';

export interface IotPolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface IotPolicyDocument {
  Version: '2012-10-17';
  Statement: IotPolicyStatement[];
}

/** The contract's topic templates with the thing-name policy variable in place of `{chargerId}`. */
function ownTopics<Kind extends string>(templates: Record<Kind, string>, granted: readonly Kind[]): string[] {
  return granted.map((kind) => templates[kind].replace('{chargerId}', CLIENT_ID_VARIABLE));
}

/** One of the policies attached together to every charger certificate, and its name beside the base name. */
export interface ChargerIotPolicy {
  /** Appended to the operator's base policy name (`--policy NAME`): `NAME`, `NAME-commands`, `NAME-ingest`. */
  nameSuffix: '' | '-commands' | '-ingest';
  document: IotPolicyDocument;
}

/** The names under which `chargerIotPolicies` are created and attached, from the operator's base name. */
export function chargerIotPolicyNames(baseName: string): string[] {
  return chargerIotPolicyNameSuffixes.map((suffix) => `${baseName}${suffix}`);
}
const chargerIotPolicyNameSuffixes: ChargerIotPolicy['nameSuffix'][] = ['', '-commands', '-ingest'];

/**
 * A charger connects only as itself (client id = thing name, certificate attached to that thing),
 * publishes only its own device topics (and their IoT Basic Ingest topics to the deploy stage's rules) and
 * subscribes/receives only its own command topics. Three documents, all attached to each certificate (IoT Core
 * allows 10 per certificate): the v2 topics listed one by one do not fit IoT Core's 2,048-character limit for
 * one document, and a wildcard would grant topics no rule reads. Rule names carry the stage, so the policy does.
 */
export function chargerIotPolicies(region: string, accountId: string, stage: string): ChargerIotPolicy[] {
  const arn = (resource: string) => `arn:aws:iot:${region}:${accountId}:${resource}`;
  const device: IotPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn(`client/${THING_NAME_VARIABLE}`),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: ownTopics(deviceToCloudTopics, grantedDeviceTopics).map((topic) => arn(`topic/${topic}`)),
      },
    ],
  };
  const commands: IotPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: ownTopics(cloudToDeviceTopics, grantedCloudTopics).map((topic) =>
          arn(`topicfilter/${topic}`),
        ),
      },
      {
        // Delivery of what its exact subscriptions match: receiving adds nothing that subscribing did not
        // grant, so its own subtree is one resource instead of one per topic.
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: arn(`topic/chargers/${CLIENT_ID_VARIABLE}/*`),
      },
    ],
  };
  const ingest: IotPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        // `$aws/rules/<rule>/chargers/<own id>/<kind>`: the one rule that reads each kind, nothing else.
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: (Object.keys(basicIngestRules) as BasicIngestKind[]).map((kind) =>
          arn(
            `topic/$aws/rules/${basicIngestRuleName(kind, stage)}/${deviceToCloudTopics[kind].replace('{chargerId}', CLIENT_ID_VARIABLE)}`,
          ),
        ),
      },
    ],
  };
  return [
    { nameSuffix: '', document: device },
    { nameSuffix: '-commands', document: commands },
    { nameSuffix: '-ingest', document: ingest },
  ];
}

/** Every statement of the attached policies as one document: IoT Core evaluates them together. */
export function combinedChargerIotPolicy(
  region: string,
  accountId: string,
  stage: string,
): IotPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: chargerIotPolicies(region, accountId, stage).flatMap((policy) => policy.document.Statement),
  };
}

export type PolicyAction = 'connect' | 'publish' | 'subscribe' | 'receive';

export interface PolicyRequest {
  /** The thing the connection's certificate is attached to (locally: the authenticated username). */
  thingName: string;
  /** The MQTT client id of the connection (for connect: the id it asks for). */
  clientId: string;
  action: PolicyAction;
  /** The topic (publish, receive) or topic filter (subscribe); unused for connect. */
  topic?: string;
}

const iotActions: Record<PolicyAction, { action: string; resource: (request: PolicyRequest) => string }> = {
  connect: { action: 'iot:Connect', resource: (request) => `client/${request.clientId}` },
  publish: { action: 'iot:Publish', resource: (request) => `topic/${request.topic ?? ''}` },
  subscribe: { action: 'iot:Subscribe', resource: (request) => `topicfilter/${request.topic ?? ''}` },
  receive: { action: 'iot:Receive', resource: (request) => `topic/${request.topic ?? ''}` },
};

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** IAM-style ARN matching: `*` any run of characters (including `/`), `?` exactly one. */
function matchesPattern(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

function substituteVariables(text: string, request: PolicyRequest): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'iot:Connection.Thing.ThingName') return request.thingName;
    if (name === 'iot:ClientId') return request.clientId;
    throw new Error(`policy variable ${whole} is not supported by this evaluator`);
  });
}

function conditionsHold(statement: IotPolicyStatement): boolean {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      // A request is always made through a certificate attached to `thingName`: that is what the model means.
      if (operator === 'Bool' && key === 'iot:Connection.Thing.IsAttached') {
        if (expected !== 'true') return false;
        continue;
      }
      throw new Error(`policy condition ${operator} ${key} is not supported by this evaluator`);
    }
  }
  return true;
}

/**
 * Evaluates an IoT policy for one request the way IoT Core does: denied unless an Allow statement
 * matches, and any matching Deny wins (several attached policies: pass `combinedChargerIotPolicy`). Unsupported variables or conditions throw, never guess.
 */
export function isAllowedByIotPolicy(
  document: IotPolicyDocument,
  request: PolicyRequest,
  region: string,
  accountId: string,
): boolean {
  const { action, resource } = iotActions[request.action];
  const requested = `arn:aws:iot:${region}:${accountId}:${resource(request)}`;
  let allowed = false;
  for (const statement of document.Statement) {
    const actionMatches = asList(statement.Action).some((pattern) => matchesPattern(pattern, action));
    if (!actionMatches) continue;
    const resourceMatches = asList(statement.Resource).some((pattern) =>
      matchesPattern(substituteVariables(pattern, request), requested),
    );
    if (!resourceMatches || !conditionsHold(statement)) continue;
    if (statement.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
