import { chargerTopicPermissions, grantedCloudTopics, grantedDeviceTopics } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  CLIENT_ID_VARIABLE,
  chargerIotPolicies,
  chargerIotPolicyNames,
  combinedChargerIotPolicy,
  type IotPolicyDocument,
  isAllowedByIotPolicy,
  type PolicyRequest,
  THING_NAME_VARIABLE,
} from '../../src/iot-policy.js';
import { POLICY_CASE_STAGE, policyCases } from '../../src/policy-cases.js';

const region = 'eu-west-1';
const account = '123456789012';
const policy = combinedChargerIotPolicy(region, account, POLICY_CASE_STAGE);

/** The rule the local broker applies (domain chargerTopicPermissions), expressed over the same requests. */
function allowedByTopicPermissions(request: PolicyRequest): boolean {
  if (request.action === 'connect') return request.clientId === request.thingName;
  const permissions = chargerTopicPermissions(request.clientId, { basicIngestStage: POLICY_CASE_STAGE });
  const allowed = request.action === 'publish' ? permissions.publish : permissions.subscribe;
  return allowed.includes(request.topic ?? '');
}

describe('production charger IoT policy', () => {
  it('derives its topics from the domain contract, with the thing-name variable', () => {
    const publish = policy.Statement.find((statement) => statement.Action === 'iot:Publish');
    const subscribe = policy.Statement.find((statement) => statement.Action === 'iot:Subscribe');
    const receive = policy.Statement.find((statement) => statement.Action === 'iot:Receive');
    expect(publish?.Resource).toHaveLength(grantedDeviceTopics.length);
    expect(publish?.Resource).toContain(
      `arn:aws:iot:eu-west-1:123456789012:topic/chargers/${CLIENT_ID_VARIABLE}/auth/request`,
    );
    expect(subscribe?.Resource).toHaveLength(grantedCloudTopics.length);
    expect(subscribe?.Resource).toContain(
      `arn:aws:iot:eu-west-1:123456789012:topicfilter/chargers/${CLIENT_ID_VARIABLE}/auth/response`,
    );
    expect(receive?.Resource).toBe(
      `arn:aws:iot:eu-west-1:123456789012:topic/chargers/${CLIENT_ID_VARIABLE}/*`,
    );
    const connect = policy.Statement.find((statement) => statement.Action === 'iot:Connect');
    expect(connect?.Resource).toBe(`arn:aws:iot:eu-west-1:123456789012:client/${THING_NAME_VARIABLE}`);
    expect(JSON.stringify(policy)).not.toMatch(/"\*"|iot:\*|chargers\/\*/);
  });

  it("keeps each attached document within IoT Core's 2,048-character limit (whitespace not counted)", () => {
    // A longest-case region, so the limit holds in every region.
    const policies = chargerIotPolicies('ap-southeast-2', '123456789012', 'production-eu');
    expect(policies.map((policy) => policy.nameSuffix)).toEqual(['', '-commands', '-ingest']);
    for (const { document } of policies) {
      expect(JSON.stringify(document).replace(/\s/g, '').length).toBeLessThanOrEqual(2048);
    }
    expect(chargerIotPolicyNames('ev-prod-charger')).toEqual([
      'ev-prod-charger',
      'ev-prod-charger-commands',
      'ev-prod-charger-ingest',
    ]);
  });

  it('covers every action with allowed and denied cases', () => {
    for (const action of ['connect', 'publish', 'subscribe', 'receive'] as const) {
      const cases = policyCases.filter((policyCase) => policyCase.action === action);
      expect(cases.some((policyCase) => policyCase.allowed)).toBe(true);
      expect(cases.some((policyCase) => !policyCase.allowed)).toBe(true);
    }
  });

  it.each(policyCases.map((policyCase) => [policyCase.name, policyCase] as const))(
    'policy: %s',
    (_name, policyCase) => {
      expect(isAllowedByIotPolicy(policy, policyCase, region, account)).toBe(policyCase.allowed);
    },
  );

  it.each(
    policyCases.filter((policyCase) => policyCase.action !== 'receive').map((c) => [c.name, c] as const),
  )('domain chargerTopicPermissions (what the broker uses) agrees: %s', (_name, policyCase) => {
    expect(allowedByTopicPermissions(policyCase)).toBe(policyCase.allowed);
  });
});

describe('IoT policy evaluator', () => {
  const request: PolicyRequest = { thingName: 'CP1', clientId: 'CP1', action: 'publish', topic: 'a/b/c' };
  const allow = (resource: string): IotPolicyDocument => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:r:1:${resource}` }],
  });

  it('matches * across levels and ? as one character', () => {
    expect(isAllowedByIotPolicy(allow('topic/a/*'), request, 'r', '1')).toBe(true);
    expect(isAllowedByIotPolicy(allow('topic/a/?/c'), request, 'r', '1')).toBe(true);
    expect(isAllowedByIotPolicy(allow('topic/a/??/c'), request, 'r', '1')).toBe(false);
    expect(isAllowedByIotPolicy(allow('topic/a/+/c'), request, 'r', '1')).toBe(false);
  });

  it('denies by default and lets an explicit Deny win', () => {
    expect(isAllowedByIotPolicy({ Version: '2012-10-17', Statement: [] }, request, 'r', '1')).toBe(false);
    const withDeny: IotPolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:*', Resource: '*' },
        { Effect: 'Deny', Action: 'iot:Publish', Resource: 'arn:aws:iot:r:1:topic/a/*' },
      ],
    };
    expect(isAllowedByIotPolicy(withDeny, request, 'r', '1')).toBe(false);
    expect(isAllowedByIotPolicy(withDeny, { ...request, action: 'subscribe' }, 'r', '1')).toBe(true);
  });

  it('refuses to guess about variables and conditions it does not model', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, not a JS template.
    const unknownVariable = allow('topic/${iot:Connection.Thing.Attributes[x]}');
    expect(() => isAllowedByIotPolicy(unknownVariable, request, 'r', '1')).toThrow(/not supported/);
    const unknownCondition: IotPolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iot:Publish',
          Resource: '*',
          Condition: { StringEquals: { 'iot:Connection.Thing.ThingTypeName': 'x' } },
        },
      ],
    };
    expect(() => isAllowedByIotPolicy(unknownCondition, request, 'r', '1')).toThrow(/not supported/);
  });
});
