import type { LocalFunction } from '../config/model.js';
import type { LambdaRuntime } from '../lambda/lambda-runtime.js';
import {
  evaluateStatement,
  invalidFilterReason,
  parseSql,
  readsPayload,
  type SelectStatement,
  type SqlValue,
  topicMatches,
  UnsupportedSqlError,
} from '../sql/index.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { CloudStats } from '../state/stats.js';

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  clientId: string;
  principal: string;
}

interface CompiledRule {
  name: string;
  functionId: string;
  statement: SelectStatement;
  readsPayload: boolean;
  errorActionQueue?: string;
}

/** Thrown at start-up for a rule the engine cannot evaluate; names the rule and the construct. */
export class RuleCompileError extends Error {
  override name = 'RuleCompileError';
}

/** Compiles every `iot` event's SQL at start-up; a construct it cannot evaluate fails here, never silently. */
export function compileRules(functions: LocalFunction[]): CompiledRule[] {
  return functions.flatMap((fn) =>
    fn.iotRules.map((rule) => {
      if (rule.sqlVersion !== '2016-03-23')
        throw new RuleCompileError(
          `rule ${rule.name}: sqlVersion ${rule.sqlVersion} is not supported (use 2016-03-23)`,
        );
      let statement: SelectStatement;
      try {
        statement = parseSql(rule.sql);
      } catch (error) {
        if (error instanceof UnsupportedSqlError)
          throw new RuleCompileError(`rule ${rule.name}: ${error.message} in: ${rule.sql}`);
        throw error;
      }
      const filterProblem = invalidFilterReason(statement.topicFilter);
      if (filterProblem) throw new RuleCompileError(`rule ${rule.name}: ${filterProblem}`);
      return {
        name: rule.name,
        functionId: fn.id,
        statement,
        readsPayload: readsPayload(statement),
        ...(rule.errorActionQueue ? { errorActionQueue: rule.errorActionQueue } : {}),
      };
    }),
  );
}

/** Evaluates every rule against each published message and invokes its function asynchronously with the SELECT output. */
export class RulesEngine {
  constructor(
    private readonly rules: CompiledRule[],
    private readonly runtime: LambdaRuntime,
    private readonly deadLetters: DeadLetterStore,
    private readonly stats: CloudStats,
  ) {}

  handle(message: IncomingMessage): void {
    const matching = this.rules.filter((rule) => topicMatches(rule.statement.topicFilter, message.topic));
    if (matching.length === 0) return;
    const text = message.payload.toString('utf8');
    let payload: SqlValue;
    let parseError: string | undefined;
    try {
      payload = JSON.parse(text) as SqlValue;
    } catch (error) {
      parseError = `payload is not JSON: ${(error as Error).message}`;
    }
    const context = {
      topic: message.topic,
      clientId: message.clientId,
      principal: message.principal,
      receivedAt: Date.now(),
    };
    for (const rule of matching) {
      try {
        if (parseError && rule.readsPayload) throw new Error(parseError);
        const output = evaluateStatement(rule.statement, parseError ? undefined : payload, context);
        if (output !== undefined) this.runtime.invokeAsync(rule.functionId, output);
      } catch (error) {
        this.ruleError(rule, message, text, error instanceof Error ? error.message : String(error));
      }
    }
  }

  private ruleError(rule: CompiledRule, message: IncomingMessage, text: string, reason: string): void {
    this.stats.ruleErrors++;
    const failedAt = new Date().toISOString();
    // The errorAction's message, shaped like IoT Core's error action payload.
    const body = {
      ruleName: rule.name,
      topic: message.topic,
      clientId: message.clientId,
      base64OriginalPayload: message.payload.toString('base64'),
      failures: [{ failedAction: 'LambdaAction', failedResource: rule.functionId, errorMessage: reason }],
    };
    this.deadLetters.add({
      queue: rule.errorActionQueue ?? 'iot-rule-errors',
      source: 'rule-error',
      ruleName: rule.name,
      functionId: rule.functionId,
      reason,
      payload: text,
      attempts: 1,
      firstFailureAt: failedAt,
      lastFailureAt: failedAt,
      body: JSON.stringify(body),
    });
  }
}
