import { parseBasicIngestTopic } from '@evcharge/domain';
import type { IotRuleConfig, RuleAction } from '../config/model.js';
import {
  type Expression,
  evaluate,
  evaluateStatement,
  invalidFilterReason,
  type MessageContext,
  parseSql,
  readsPayload,
  type SelectStatement,
  type SqlValue,
  topicMatches,
  UnsupportedSqlError,
} from '../sql/index.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { CloudStats } from '../state/stats.js';
import { RuleCompileError } from './topic-rules.js';

export { RuleCompileError } from './topic-rules.js';

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  clientId: string;
  principal: string;
}

/** Where rule actions land: Lambda (async invoke), Firehose and Kinesis, each by the name the rule gives. */
export interface RuleTargets {
  functionIdOf: (functionName: string) => string | undefined;
  invokeAsync: (functionId: string, event: unknown) => void;
  hasDeliveryStream: (name: string) => boolean;
  putFirehoseRecord: (deliveryStreamName: string, data: Buffer) => Promise<void>;
  hasKinesisStream: (name: string) => boolean;
  putKinesisRecord: (streamName: string, partitionKey: string, data: string) => void;
}

type CompiledAction =
  | { type: 'Lambda'; functionId: string }
  | { type: 'Firehose'; deliveryStreamName: string; separator: string }
  | { type: 'Kinesis'; streamName: string; partitionKey: SubstitutionTemplate };

/** Literal text and `${expression}` parts, e.g. `${topic(2)}`. */
type SubstitutionTemplate = (string | Expression)[];

interface CompiledRule {
  name: string;
  statement: SelectStatement;
  readsPayload: boolean;
  actions: CompiledAction[];
  errorActionQueue?: string;
}

/** Compiles every topic rule at start-up; a construct or target it cannot run fails here, never silently. */
export function compileRules(
  rules: IotRuleConfig[],
  targets: Pick<RuleTargets, 'functionIdOf' | 'hasDeliveryStream' | 'hasKinesisStream'>,
): CompiledRule[] {
  return rules.map((rule) => {
    if (rule.sqlVersion !== '2016-03-23')
      throw new RuleCompileError(
        `rule ${rule.name}: sqlVersion ${rule.sqlVersion} is not supported (use 2016-03-23)`,
      );
    const statement = parseOrFail(rule.name, rule.sql, () => parseSql(rule.sql));
    const filterProblem = invalidFilterReason(statement.topicFilter);
    if (filterProblem) throw new RuleCompileError(`rule ${rule.name}: ${filterProblem}`);
    return {
      name: rule.name,
      statement,
      readsPayload: readsPayload(statement),
      actions: rule.actions.map((action) => compileAction(rule.name, action, targets)),
      ...(rule.errorActionQueue ? { errorActionQueue: rule.errorActionQueue } : {}),
    };
  });
}

function compileAction(
  ruleName: string,
  action: RuleAction,
  targets: Pick<RuleTargets, 'functionIdOf' | 'hasDeliveryStream' | 'hasKinesisStream'>,
): CompiledAction {
  const unknown = (what: string) =>
    new RuleCompileError(`rule ${ruleName}: ${what} is not declared by any service`);
  switch (action.type) {
    case 'Lambda': {
      const functionId = targets.functionIdOf(action.functionName);
      if (!functionId) throw unknown(`function ${action.functionName}`);
      return { type: 'Lambda', functionId };
    }
    case 'Firehose':
      if (!targets.hasDeliveryStream(action.deliveryStreamName))
        throw unknown(`delivery stream ${action.deliveryStreamName}`);
      return action;
    case 'Kinesis':
      if (!targets.hasKinesisStream(action.streamName)) throw unknown(`Kinesis stream ${action.streamName}`);
      return {
        type: 'Kinesis',
        streamName: action.streamName,
        partitionKey: compileTemplate(ruleName, action.partitionKey),
      };
  }
}

/** A substitution template's `${…}` parts compile like SELECT expressions (the same SQL subset). */
export function compileTemplate(ruleName: string, template: string): SubstitutionTemplate {
  return template.split(/(\$\{[^}]*\})/).flatMap((part): SubstitutionTemplate => {
    if (!part) return [];
    if (!part.startsWith('${')) return [part];
    const sql = `SELECT ${part.slice(2, -1)} FROM '#'`;
    const statement = parseOrFail(ruleName, part, () => parseSql(sql));
    const [item] = statement.select;
    if (statement.select.length !== 1 || item?.kind !== 'expression')
      throw new RuleCompileError(`rule ${ruleName}: substitution template ${part} is not one expression`);
    return [item.expression];
  });
}

/** A compiled template for this message; an Undefined expression becomes the empty string, as IoT Core does. */
export function expandTemplate(
  template: SubstitutionTemplate,
  payload: SqlValue,
  message: MessageContext,
): string {
  return template
    .map((part) => {
      if (typeof part === 'string') return part;
      const value = evaluate(part, payload, message);
      if (value === undefined || value === null) return '';
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    })
    .join('');
}

function parseOrFail(ruleName: string, text: string, parse: () => SelectStatement): SelectStatement {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UnsupportedSqlError)
      throw new RuleCompileError(`rule ${ruleName}: ${error.message} in: ${text}`);
    throw error;
  }
}

const failedActionName: Record<CompiledAction['type'], string> = {
  Lambda: 'LambdaAction',
  Firehose: 'FirehoseAction',
  Kinesis: 'KinesisAction',
};

/** Evaluates every rule against each published message and runs its actions with the SELECT output. */
export class RulesEngine {
  constructor(
    private readonly rules: CompiledRule[],
    private readonly targets: RuleTargets,
    private readonly deadLetters: DeadLetterStore,
    private readonly stats: CloudStats,
  ) {}

  handle(message: IncomingMessage): void {
    // Basic Ingest (`$aws/rules/<rule>/<topic>`) reaches only the rule it names, which sees the topic without the prefix.
    const ingest = parseBasicIngestTopic(message.topic);
    const topic = ingest?.topic ?? message.topic;
    const matching = this.rules.filter(
      (rule) =>
        (ingest === undefined || rule.name === ingest.ruleName) &&
        topicMatches(rule.statement.topicFilter, topic),
    );
    if (matching.length === 0) return;
    const text = message.payload.toString('utf8');
    let payload: SqlValue;
    let parseError: string | undefined;
    try {
      payload = JSON.parse(text) as SqlValue;
    } catch (error) {
      parseError = `payload is not JSON: ${(error as Error).message}`;
    }
    const context: MessageContext = {
      topic,
      clientId: message.clientId,
      principal: message.principal,
      receivedAt: Date.now(),
    };
    for (const rule of matching) {
      let output: ReturnType<typeof evaluateStatement>;
      try {
        if (parseError && rule.readsPayload) throw new Error(parseError);
        output = evaluateStatement(rule.statement, parseError ? undefined : payload, context);
      } catch (error) {
        for (const action of rule.actions) this.ruleError(rule, action, message, text, error);
        continue;
      }
      if (output === undefined) continue;
      for (const action of rule.actions) {
        // Each action succeeds or fails on its own; a failure goes to the rule's errorAction.
        this.runAction(action, output, payload, context).catch((error: unknown) =>
          this.ruleError(rule, action, message, text, error),
        );
      }
    }
  }

  private async runAction(
    action: CompiledAction,
    output: Record<string, SqlValue>,
    payload: SqlValue,
    context: MessageContext,
  ): Promise<void> {
    switch (action.type) {
      case 'Lambda':
        return this.targets.invokeAsync(action.functionId, output);
      case 'Firehose':
        return this.targets.putFirehoseRecord(
          action.deliveryStreamName,
          Buffer.from(`${JSON.stringify(output)}${action.separator}`),
        );
      case 'Kinesis':
        return this.targets.putKinesisRecord(
          action.streamName,
          expandTemplate(action.partitionKey, payload, context),
          JSON.stringify(output),
        );
    }
  }

  private ruleError(
    rule: CompiledRule,
    action: CompiledAction,
    message: IncomingMessage,
    text: string,
    error: unknown,
  ): void {
    const reason = error instanceof Error ? error.message : String(error);
    const failedResource =
      action.type === 'Lambda'
        ? action.functionId
        : action.type === 'Firehose'
          ? action.deliveryStreamName
          : action.streamName;
    this.stats.ruleErrors++;
    const failedAt = new Date().toISOString();
    // The errorAction's message, shaped like IoT Core's error action payload.
    const body = {
      ruleName: rule.name,
      topic: message.topic,
      clientId: message.clientId,
      base64OriginalPayload: message.payload.toString('base64'),
      failures: [{ failedAction: failedActionName[action.type], failedResource, errorMessage: reason }],
    };
    this.deadLetters.add({
      queue: rule.errorActionQueue ?? 'iot-rule-errors',
      source: 'rule-error',
      ruleName: rule.name,
      ...(action.type === 'Lambda' ? { functionId: action.functionId } : {}),
      reason,
      payload: text,
      attempts: 1,
      firstFailureAt: failedAt,
      lastFailureAt: failedAt,
      body: JSON.stringify(body),
    });
  }
}
