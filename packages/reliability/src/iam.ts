import type { CfnResource, PackagedService } from './templates.js';

/** Actions IAM only grants on `Resource: "*"` (no resource-level permissions); anything else must be scoped. */
export const actionsWithoutResourceLevelPermissions = new Set([
  'sqs:ListQueues',
  'iot:DescribeEndpoint',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'cloudwatch:PutMetricData',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  // The registry login of a container task (the OCPP gateway's execution role).
  'ecr:GetAuthorizationToken',
]);

// The framework's logging grants (scoped to the function's own log group); not something the code "uses".
const isFrameworkLogging = (action: string) => action.startsWith('logs:');

export interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
}

export interface RoleStatements {
  logicalId: string;
  statements: Statement[];
  managedPolicyArns: unknown[];
}

export interface Violation {
  service: string;
  where: string;
  rule:
    | 'wildcard-action'
    | 'star-resource'
    | 'unused-action'
    | 'missing-action'
    | 'default-role'
    | 'allowlist';
  detail: string;
}

export type Allowlist = Record<string, string[]>;

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Statements of every role in a template, including standalone AWS::IAM::Policy resources attached to it. */
export function rolesOf(resources: Record<string, CfnResource>): RoleStatements[] {
  const roles = new Map<string, RoleStatements>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resource.Properties ?? {};
    const policies = asList(
      properties.Policies as { PolicyDocument: { Statement: Statement | Statement[] } }[],
    );
    roles.set(logicalId, {
      logicalId,
      statements: policies.flatMap((policy) => asList(policy.PolicyDocument.Statement)),
      managedPolicyArns: asList(properties.ManagedPolicyArns as unknown[]),
    });
  }
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const properties = resource.Properties as {
      PolicyDocument: { Statement: Statement | Statement[] };
      Roles?: { Ref?: string }[];
    };
    for (const role of asList(properties.Roles)) {
      const target = role.Ref ? roles.get(role.Ref) : undefined;
      target?.statements.push(...asList(properties.PolicyDocument.Statement));
    }
  }
  return [...roles.values()];
}

/** Function name (as in serverless.yml) → the logical id of the role it runs with. */
export function functionRoles(service: PackagedService, stage = 'local'): Map<string, string> {
  const prefix = `${service.service}-${stage}-`;
  const result = new Map<string, string>();
  for (const resource of Object.values(service.resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const properties = resource.Properties as { FunctionName: string; Role: unknown };
    const role = properties.Role as { 'Fn::GetAtt'?: [string, string] } | string;
    const roleId = typeof role === 'object' && role['Fn::GetAtt'] ? role['Fn::GetAtt'][0] : String(role);
    result.set(
      properties.FunctionName.startsWith(prefix)
        ? properties.FunctionName.slice(prefix.length)
        : properties.FunctionName,
      roleId,
    );
  }
  return result;
}

export function statementViolations(service: string, role: RoleStatements): Violation[] {
  const violations: Violation[] = [];
  const where = role.logicalId;
  if (role.managedPolicyArns.length > 0) {
    violations.push({
      service,
      where,
      rule: 'wildcard-action',
      detail: `managed policies ${JSON.stringify(role.managedPolicyArns)}`,
    });
  }
  for (const statement of role.statements) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      violations.push({
        service,
        where,
        rule: 'wildcard-action',
        detail: 'Allow with NotAction/NotResource',
      });
    }
    const actions = asList(statement.Action);
    for (const action of actions) {
      if (action.includes('*')) violations.push({ service, where, rule: 'wildcard-action', detail: action });
    }
    const resources = asList(statement.Resource);
    if (resources.some((resource) => resource === '*')) {
      for (const action of actions) {
        if (!actionsWithoutResourceLevelPermissions.has(action)) {
          violations.push({ service, where, rule: 'star-resource', detail: `${action} on "*"` });
        }
      }
    }
  }
  return violations;
}

/**
 * The DynamoDB item actions a function's own transactions need, read from its bundled code: our
 * TransactItems entries are written `{ Put|Update|Delete|ConditionCheck: { TableName, ... } }`, which
 * minified code keeps as `Update:{TableName`. (The SDK's own key maps say `Update:{Key`, so they do not count.)
 */
export function transactionItemActions(source: string): Set<string> {
  const actionOf: Record<string, string> = {
    Put: 'dynamodb:PutItem',
    Update: 'dynamodb:UpdateItem',
    Delete: 'dynamodb:DeleteItem',
    ConditionCheck: 'dynamodb:ConditionCheckItem',
  };
  const needed = new Set<string>();
  for (const match of source.matchAll(/\b(Put|Update|Delete|ConditionCheck):\{TableName\b/g)) {
    needed.add(actionOf[match[1] as string] as string);
  }
  return needed;
}

export function actionsOf(role: RoleStatements): Set<string> {
  return new Set(
    role.statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => asList(statement.Action))
      .filter((action) => !isFrameworkLogging(action)),
  );
}

export interface ServiceReport {
  roles: number;
  statements: number;
  functions: number;
  violations: Violation[];
}

/** All checks for one packaged service against its allow-list ({ functionName: [actions] }). */
export function checkService(service: PackagedService, allowlist: Allowlist): ServiceReport {
  const roles = rolesOf(service.resources);
  const byId = new Map(roles.map((role) => [role.logicalId, role]));
  const violations = roles.flatMap((role) => statementViolations(service.service, role));
  const functions = functionRoles(service);
  for (const [functionName, roleId] of functions) {
    const where = `${functionName} (${roleId})`;
    if (roleId === 'IamRoleLambdaExecution') {
      violations.push({
        service: service.service,
        where,
        rule: 'default-role',
        detail: 'function runs with the shared default role',
      });
    }
    const allowed = allowlist[functionName];
    if (!allowed) {
      violations.push({ service: service.service, where, rule: 'allowlist', detail: 'no allow-list entry' });
      continue;
    }
    const held = byId.get(roleId) ? actionsOf(byId.get(roleId) as RoleStatements) : new Set<string>();
    for (const action of held) {
      if (!allowed.includes(action))
        violations.push({ service: service.service, where, rule: 'unused-action', detail: action });
    }
    for (const action of allowed) {
      if (!held.has(action))
        violations.push({ service: service.service, where, rule: 'missing-action', detail: action });
    }
  }
  for (const functionName of Object.keys(allowlist)) {
    if (!functions.has(functionName)) {
      violations.push({
        service: service.service,
        where: functionName,
        rule: 'allowlist',
        detail: 'allow-list names a function the template does not have',
      });
    }
  }
  return {
    roles: roles.length,
    statements: roles.reduce((sum, role) => sum + role.statements.length, 0),
    functions: functions.size,
    violations,
  };
}
