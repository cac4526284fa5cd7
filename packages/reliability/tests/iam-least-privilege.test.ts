import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Allowlist,
  actionsOf,
  checkService,
  functionRoles,
  rolesOf,
  type ServiceReport,
  statementViolations,
  transactionItemActions,
} from '../src/iam.js';
import { shippedHandlerSource } from '../src/shipped-bundle.js';
import { loadPackagedTemplates, type PackagedService } from '../src/templates.js';

let services: PackagedService[] = [];
const reports = new Map<string, ServiceReport>();

function allowlistOf(service: PackagedService): Allowlist {
  const path = join(service.dir, 'iam-allowlist.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Allowlist) : {};
}

beforeAll(async () => {
  services = await loadPackagedTemplates();
  for (const service of services) reports.set(service.service, checkService(service, allowlistOf(service)));
  const all = [...reports.values()];
  const violations = all.flatMap((report) => report.violations);
  console.log(
    [
      'reliability: iam-least-privilege',
      `  templates=${services.length} roles checked=${all.reduce((n, r) => n + r.roles, 0)} functions=${all.reduce((n, r) => n + r.functions, 0)} statements=${all.reduce((n, r) => n + r.statements, 0)} violations=${violations.length}`,
      ...violations.map((v) => `  ${v.service} ${v.where}: ${v.rule} ${v.detail}`),
    ].join('\n'),
  );
}, 180_000);

describe('IAM least privilege in every packaged template', () => {
  it('packages every service and finds its function roles', () => {
    expect(services.length).toBeGreaterThanOrEqual(5);
    const functions = [...reports.values()].reduce((n, r) => n + r.functions, 0);
    expect(functions).toBeGreaterThanOrEqual(10);
  });

  it('has no wildcard action, no "*" resource for scoped actions, no function running with the default role', () => {
    const broad = [...reports.values()]
      .flatMap((report) => report.violations)
      .filter((v) => v.rule === 'wildcard-action' || v.rule === 'star-resource' || v.rule === 'default-role');
    expect(broad).toEqual([]);
  });

  it('gives each function exactly the actions its code uses (services/<svc>/iam-allowlist.json)', () => {
    const drift = [...reports.values()]
      .flatMap((report) => report.violations)
      .filter((v) => v.rule === 'unused-action' || v.rule === 'missing-action' || v.rule === 'allowlist');
    expect(drift).toEqual([]);
  });
});

describe('IAM covers what the shipped code does', () => {
  // Regression: a message processed over 30 s late puts a ConditionCheck in its transaction, and three
  // functions held no dynamodb:ConditionCheckItem (DynamoDB Local does not check IAM; AWS would refuse).
  it('grants every DynamoDB item action that the transactions of a function use', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const service of services) {
      const roles = new Map(rolesOf(service.resources).map((role) => [role.logicalId, role]));
      for (const [functionName, roleId] of functionRoles(service)) {
        const source = shippedHandlerSource(service.service, functionName);
        expect(source).toBeDefined();
        const role = roles.get(roleId);
        const held = role ? actionsOf(role) : new Set<string>();
        for (const action of transactionItemActions(source ?? '')) {
          checked++;
          if (!held.has(action)) missing.push(`${service.service}.${functionName}: ${action}`);
        }
      }
    }
    console.log(
      `reliability: iam-least-privilege transaction item actions checked=${checked} missing=${missing.length}`,
    );
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('reads item actions from our transaction entries, not from the key maps of the SDK', () => {
    const ours = 'a={ConditionCheck:{TableName:t,Key:k}};b={Update:{TableName:t,Key:k}}';
    const sdk = 'inputKeyNodes={TransactItems:{"*":{ConditionCheck:{Key:x},Put:{Item:x},Delete:{Key:x}}}}';
    expect([...transactionItemActions(ours + sdk)].sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('the checker itself', () => {
  const role = (statements: object[]) => ({
    logicalId: 'R',
    statements: statements as never[],
    managedPolicyArns: [],
  });

  it('flags wildcard actions and "*" resources, but not actions without resource-level permissions', () => {
    const violations = statementViolations(
      'svc',
      role([
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:::table/t' },
        { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ListQueues'], Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ]),
    );
    expect(violations.map((v) => `${v.rule} ${v.detail}`)).toEqual([
      'wildcard-action dynamodb:*',
      'star-resource sqs:SendMessage on "*"',
    ]);
  });

  it('flags an action the allow-list does not name, and one the role lacks', () => {
    const service: PackagedService = {
      service: 'svc',
      dir: '/nowhere',
      resources: {
        FLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { FunctionName: 'svc-local-f', Role: { 'Fn::GetAtt': ['FRole', 'Arn'] } },
        },
        FRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [
              {
                PolicyDocument: {
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
                      Resource: 'arn:t',
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    };
    const report = checkService(service, { f: ['dynamodb:GetItem', 'dynamodb:Query'] });
    expect(report.violations.map((v) => `${v.rule} ${v.detail}`)).toEqual([
      'unused-action dynamodb:DeleteItem',
      'missing-action dynamodb:Query',
    ]);
  });
});
