import type { BinaryOperator, Expression, PathSegment, SelectStatement, SqlValue } from './ast.js';
import { type MessageContext, supportedFunctions } from './functions.js';

type JsonObject = { [key: string]: SqlValue };

/** Thrown when a message cannot be evaluated (e.g. a non-JSON payload on a rule that reads fields). */
export class RuleEvaluationError extends Error {
  override name = 'RuleEvaluationError';
}

/**
 * SQL 2016-03-23 semantics: WHERE runs first (Undefined or non-true means no match), then SELECT;
 * Undefined values are left out of the output. Returns undefined when the message does not match.
 */
export function evaluateStatement(
  statement: SelectStatement,
  payload: SqlValue,
  message: MessageContext,
): JsonObject | undefined {
  if (statement.where && toBoolean(evaluate(statement.where, payload, message)) !== true) return undefined;
  const output: JsonObject = {};
  statement.select.forEach((item, position) => {
    if (item.kind === 'star') {
      if (!isObject(payload)) throw new RuleEvaluationError('SELECT * needs a JSON object payload');
      Object.assign(output, payload);
      return;
    }
    const value = evaluate(item.expression, payload, message);
    if (value === undefined) return;
    output[item.alias ?? defaultName(item.expression, position)] = value;
  });
  return output;
}

/** Whether evaluating the statement reads the payload (then a non-JSON payload is a rule error). */
export function readsPayload(statement: SelectStatement): boolean {
  const expressions: Expression[] = statement.where ? [statement.where] : [];
  for (const item of statement.select) {
    if (item.kind === 'star') return true;
    expressions.push(item.expression);
  }
  return expressions.some(containsPath);
}

function containsPath(expression: Expression): boolean {
  switch (expression.kind) {
    case 'path':
      return true;
    case 'call':
      return expression.args.some(containsPath);
    case 'unary':
      return containsPath(expression.operand);
    case 'binary':
      return containsPath(expression.left) || containsPath(expression.right);
    default:
      return false;
  }
}

// A path is named after its last field; other unnamed expressions get the positional name `_<n>`.
function defaultName(expression: Expression, position: number): string {
  if (expression.kind === 'path') {
    const last = expression.segments.at(-1);
    if (last?.kind === 'field') return last.name;
  }
  if (expression.kind === 'call') return expression.name;
  return `_${position + 1}`;
}

export function evaluate(expression: Expression, payload: SqlValue, message: MessageContext): SqlValue {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'path':
      return readPath(payload, expression.segments);
    case 'call': {
      const args = expression.args.map((arg) => evaluate(arg, payload, message));
      return supportedFunctions[expression.name]?.evaluate(args, message);
    }
    case 'unary': {
      const operand = evaluate(expression.operand, payload, message);
      if (expression.operator === 'NOT') {
        const bool = toBoolean(operand);
        return bool === undefined ? undefined : !bool;
      }
      const number = toNumber(operand);
      return number === undefined ? undefined : -number;
    }
    case 'binary':
      return evaluateBinary(
        expression.operator,
        evaluate(expression.left, payload, message),
        evaluate(expression.right, payload, message),
      );
  }
}

function readPath(payload: SqlValue, segments: PathSegment[]): SqlValue {
  let current: SqlValue = payload;
  for (const segment of segments) {
    if (segment.kind === 'field') {
      if (!isObject(current) || !Object.hasOwn(current, segment.name)) return undefined;
      current = current[segment.name];
    } else {
      if (!Array.isArray(current) || segment.index < 0 || segment.index >= current.length) return undefined;
      current = current[segment.index];
    }
  }
  return current;
}

function evaluateBinary(operator: BinaryOperator, left: SqlValue, right: SqlValue): SqlValue {
  switch (operator) {
    case 'AND':
    case 'OR': {
      const l = toBoolean(left);
      const r = toBoolean(right);
      if (l === undefined || r === undefined) return undefined;
      return operator === 'AND' ? l && r : l || r;
    }
    case '=':
    case '<>': {
      const order = compare(left, right, true);
      if (order === undefined) return undefined;
      return operator === '=' ? order === 0 : order !== 0;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const order = compare(left, right, false);
      if (order === undefined || Number.isNaN(order)) return undefined;
      if (operator === '<') return order < 0;
      if (operator === '<=') return order <= 0;
      if (operator === '>') return order > 0;
      return order >= 0;
    }
    default:
      return arithmetic(operator, left, right);
  }
}

function arithmetic(operator: BinaryOperator, left: SqlValue, right: SqlValue): SqlValue {
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  const l = toNumber(left);
  const r = toNumber(right);
  if (l === undefined || r === undefined) return undefined;
  switch (operator) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? undefined : l / r;
    case '%':
      return r === 0 ? undefined : l % r;
    default:
      return undefined;
  }
}

/** <0, 0, >0; NaN for equal-typed values that do not order; undefined when the types cannot be compared. */
function compare(left: SqlValue, right: SqlValue, equalityOnly: boolean): number | undefined {
  if (left === undefined || right === undefined) return undefined;
  if (typeof left === 'number' || typeof right === 'number') {
    const l = toNumber(left);
    const r = toNumber(right);
    if (l === undefined || r === undefined) return undefined;
    return l - r;
  }
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') {
    if (left === right) return 0;
    return equalityOnly ? 1 : Number.NaN;
  }
  if (left === null && right === null) return equalityOnly ? 0 : Number.NaN;
  if (equalityOnly && typeof left === 'object' && typeof right === 'object')
    return JSON.stringify(left) === JSON.stringify(right) ? 0 : 1;
  return undefined;
}

function toNumber(value: SqlValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function toBoolean(value: SqlValue): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function isObject(value: SqlValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
