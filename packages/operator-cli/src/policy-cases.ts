import {
  basicIngestTopic,
  type CloudTopicKind,
  chargerTopic,
  cloudToDeviceTopics,
  type DeviceTopicKind,
  deviceToCloudTopics,
  grantedCloudTopics,
  grantedDeviceTopics,
} from '@evcharge/domain';
import type { PolicyRequest } from './iot-policy.js';

/**
 * One table of allowed and denied requests, run against the production IoT policy (operator-cli tests)
 * and the local broker (local-cloud tests). Broker mapping: connect → authenticate with username =
 * thingName and that client id; publish → authorizePublish; subscribe → authorizeSubscribe;
 * receive → delivery of a message on `topic` to that client (e.g. aedes authorizeForward).
 */
export interface PolicyCase extends PolicyRequest {
  name: string;
  allowed: boolean;
}

export const POLICY_CASE_CHARGER = 'CP-POLICY-A';
/** The stage the policy is made for and the local broker runs (the Basic Ingest rule names carry it). */
export const POLICY_CASE_STAGE = 'local';
export const POLICY_CASE_OTHER_CHARGER = 'CP-POLICY-B';

const me = POLICY_CASE_CHARGER;
const other = POLICY_CASE_OTHER_CHARGER;
const deviceKinds = grantedDeviceTopics;
const cloudKinds = grantedCloudTopics;
/** Contract topics no service routes yet: a charger may not use them until one does. */
const ungrantedDeviceKinds = (Object.keys(deviceToCloudTopics) as DeviceTopicKind[]).filter(
  (kind) => !grantedDeviceTopics.includes(kind),
);
const ungrantedCloudKinds = (Object.keys(cloudToDeviceTopics) as CloudTopicKind[]).filter(
  (kind) => !grantedCloudTopics.includes(kind),
);

function asMe(action: PolicyCase['action'], topic: string, allowed: boolean, name: string): PolicyCase {
  return { name, thingName: me, clientId: me, action, topic, allowed };
}

export const policyCases: readonly PolicyCase[] = [
  { name: 'connect as itself', thingName: me, clientId: me, action: 'connect', allowed: true },
  { name: 'connect as another charger', thingName: me, clientId: other, action: 'connect', allowed: false },
  { name: 'connect with a longer id', thingName: me, clientId: `${me}-x`, action: 'connect', allowed: false },
  {
    name: 'connect with a prefix id',
    thingName: me,
    clientId: 'CP-POLICY',
    action: 'connect',
    allowed: false,
  },

  ...deviceKinds.map((kind) => asMe('publish', chargerTopic(kind, me), true, `publish own ${kind}`)),
  ...deviceKinds.map((kind) =>
    asMe('publish', chargerTopic(kind, other), false, `publish ${kind} as another charger`),
  ),
  ...cloudKinds.map((kind) => asMe('publish', chargerTopic(kind, me), false, `forge own ${kind}`)),
  ...cloudKinds.map((kind) =>
    asMe('publish', chargerTopic(kind, other), false, `forge ${kind} of another charger`),
  ),
  ...ungrantedDeviceKinds.map((kind) =>
    asMe('publish', chargerTopic(kind, me), false, `publish own ${kind} before a service routes it`),
  ),
  ...ungrantedCloudKinds.map((kind) => asMe('publish', chargerTopic(kind, me), false, `forge own ${kind}`)),
  ...ungrantedCloudKinds.map((kind) =>
    asMe('subscribe', chargerTopic(kind, me), false, `subscribe own ${kind} before a service sends it`),
  ),
  asMe('publish', `chargers/${me}/unknown`, false, 'publish outside the contract'),
  asMe('publish', `chargers/${me}/auth/request/extra`, false, 'publish below a device topic'),
  asMe('publish', `chargers/${me}`, false, 'publish on the charger root'),
  asMe('publish', `$aws/events/presence/connected/${me}`, false, 'forge a lifecycle event'),
  asMe('publish', basicIngestTopic('heartbeat', me, POLICY_CASE_STAGE), true, 'Basic Ingest own heartbeat'),
  asMe('publish', basicIngestTopic('meter', me, POLICY_CASE_STAGE), true, 'Basic Ingest own reading'),
  asMe(
    'publish',
    basicIngestTopic('heartbeat', other, POLICY_CASE_STAGE),
    false,
    'Basic Ingest heartbeat as another charger',
  ),
  asMe('publish', basicIngestTopic('meter', me, 'prod'), false, "Basic Ingest to another stage's rule"),
  asMe(
    'publish',
    `$aws/rules/charge_authorization_${POLICY_CASE_STAGE}_auth_request/${chargerTopic('authRequest', me)}`,
    false,
    'Basic Ingest of a topic that must reach the broker',
  ),
  asMe(
    'publish',
    `$aws/rules/heartbeat_${POLICY_CASE_STAGE}_heartbeat/chargers/${me}/meter`,
    false,
    'Basic Ingest of a reading to the heartbeat rule',
  ),

  ...cloudKinds.map((kind) => asMe('subscribe', chargerTopic(kind, me), true, `subscribe own ${kind}`)),
  ...cloudKinds.map((kind) =>
    asMe('subscribe', chargerTopic(kind, other), false, `subscribe ${kind} of another charger`),
  ),
  ...deviceKinds.map((kind) =>
    asMe('subscribe', chargerTopic(kind, other), false, `eavesdrop ${kind} of another charger`),
  ),
  asMe('subscribe', chargerTopic('heartbeat', me), false, 'subscribe own device topic'),
  asMe('subscribe', 'chargers/+/auth/response', false, 'subscribe every auth response'),
  asMe('subscribe', 'chargers/#', false, 'subscribe all chargers'),
  asMe('subscribe', `chargers/${me}/#`, false, 'subscribe own subtree with #'),
  asMe('subscribe', `chargers/${me}/+/request`, false, 'subscribe own requests with +'),
  asMe('subscribe', '#', false, 'subscribe everything'),
  asMe('subscribe', '$aws/events/presence/connected/+', false, 'subscribe lifecycle events'),

  ...cloudKinds.map((kind) => asMe('receive', chargerTopic(kind, me), true, `receive own ${kind}`)),
  ...cloudKinds.map((kind) =>
    asMe('receive', chargerTopic(kind, other), false, `receive ${kind} of another charger`),
  ),
  ...deviceKinds.map((kind) =>
    asMe('receive', chargerTopic(kind, other), false, `receive ${kind} of another charger`),
  ),
];
