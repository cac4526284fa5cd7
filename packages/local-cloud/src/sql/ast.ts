/** The AWS IoT SQL subset the local rules engine evaluates. Anything else fails at start-up. */
export type Expression =
  | { kind: 'literal'; value: SqlValue }
  | { kind: 'path'; segments: PathSegment[] }
  | { kind: 'call'; name: string; args: Expression[] }
  | { kind: 'unary'; operator: 'NOT' | '-'; operand: Expression }
  | { kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression };

export type PathSegment = { kind: 'field'; name: string } | { kind: 'index'; index: number };

export type BinaryOperator =
  | 'AND'
  | 'OR'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

export type SelectItem = { kind: 'star' } | { kind: 'expression'; expression: Expression; alias?: string };

export interface SelectStatement {
  select: SelectItem[];
  topicFilter: string;
  where?: Expression;
}

/** A JSON value, or undefined for the SQL Undefined (left out of the output). */
export type SqlValue =
  | null
  | boolean
  | number
  | string
  | SqlValue[]
  | { [key: string]: SqlValue }
  | undefined;

/** Raised for SQL the engine cannot evaluate; the message names the construct. */
export class UnsupportedSqlError extends Error {
  override name = 'UnsupportedSqlError';
  constructor(
    readonly construct: string,
    readonly position: number,
  ) {
    super(`unsupported SQL construct ${construct} at position ${position}`);
  }
}
