import {
  type BinaryOperator,
  type Expression,
  type PathSegment,
  type SelectItem,
  type SelectStatement,
  UnsupportedSqlError,
} from './ast.js';
import { supportedFunctions } from './functions.js';
import { type Token, tokenize } from './lexer.js';

const comparisonOperators = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** Parses `SELECT … FROM '<filter>' [WHERE …]`; throws UnsupportedSqlError naming what it cannot handle. */
export function parseSql(sql: string): SelectStatement {
  return new Parser(tokenize(sql)).statement();
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  statement(): SelectStatement {
    this.expectKeyword('SELECT');
    const select: SelectItem[] = [this.selectItem()];
    while (this.acceptSymbol(',')) select.push(this.selectItem());
    this.expectKeyword('FROM');
    const from = this.next();
    if (from.type !== 'string')
      throw new UnsupportedSqlError('FROM without a quoted topic filter', from.position);
    let where: Expression | undefined;
    if (this.acceptKeyword('WHERE')) where = this.expression();
    const rest = this.peek();
    if (rest.type !== 'end') throw new UnsupportedSqlError(describe(rest), rest.position);
    return { select, topicFilter: from.value, ...(where ? { where } : {}) };
  }

  private selectItem(): SelectItem {
    if (this.acceptSymbol('*')) return { kind: 'star' };
    const expression = this.expression();
    if (this.acceptKeyword('AS')) {
      const alias = this.next();
      if (alias.type !== 'identifier')
        throw new UnsupportedSqlError(`alias ${describe(alias)}`, alias.position);
      return { kind: 'expression', expression, alias: alias.value };
    }
    return { kind: 'expression', expression };
  }

  private expression(): Expression {
    return this.or();
  }

  private or(): Expression {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { kind: 'binary', operator: 'OR', left, right: this.and() };
    return left;
  }

  private and(): Expression {
    let left = this.not();
    while (this.acceptKeyword('AND')) left = { kind: 'binary', operator: 'AND', left, right: this.not() };
    return left;
  }

  private not(): Expression {
    if (this.acceptKeyword('NOT')) return { kind: 'unary', operator: 'NOT', operand: this.not() };
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.additive();
    const token = this.peek();
    if (token.type === 'symbol' && comparisonOperators.has(token.value)) {
      this.index++;
      return { kind: 'binary', operator: token.value as BinaryOperator, left, right: this.additive() };
    }
    return left;
  }

  private additive(): Expression {
    let left = this.multiplicative();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'symbol' || (token.value !== '+' && token.value !== '-')) return left;
      this.index++;
      left = { kind: 'binary', operator: token.value, left, right: this.multiplicative() };
    }
  }

  private multiplicative(): Expression {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'symbol' || !['*', '/', '%'].includes(token.value)) return left;
      this.index++;
      left = { kind: 'binary', operator: token.value as BinaryOperator, left, right: this.unary() };
    }
  }

  private unary(): Expression {
    if (this.acceptSymbol('-')) return { kind: 'unary', operator: '-', operand: this.unary() };
    return this.primary();
  }

  private primary(): Expression {
    const token = this.next();
    if (token.type === 'number') return { kind: 'literal', value: token.value };
    if (token.type === 'string') return { kind: 'literal', value: token.value };
    if (token.type === 'keyword' && (token.value === 'TRUE' || token.value === 'FALSE'))
      return { kind: 'literal', value: token.value === 'TRUE' };
    if (token.type === 'keyword' && token.value === 'NULL') return { kind: 'literal', value: null };
    if (token.type === 'symbol' && token.value === '(') {
      if (this.peek().type === 'keyword' && (this.peek() as { value: string }).value === 'SELECT')
        throw new UnsupportedSqlError('nested SELECT', token.position);
      const inner = this.expression();
      this.expectSymbol(')');
      return inner;
    }
    if (token.type === 'identifier') {
      if (this.acceptSymbol('(')) return this.call(token.value, token.position);
      return this.path(token.value);
    }
    throw new UnsupportedSqlError(describe(token), token.position);
  }

  private call(name: string, position: number): Expression {
    const lowerName = name.toLowerCase();
    const signature = supportedFunctions[lowerName];
    if (!signature) throw new UnsupportedSqlError(`function ${name}()`, position);
    const args: Expression[] = [];
    if (!this.acceptSymbol(')')) {
      do args.push(this.expression());
      while (this.acceptSymbol(','));
      this.expectSymbol(')');
    }
    if (args.length < signature.minArgs || args.length > signature.maxArgs)
      throw new UnsupportedSqlError(`${name}() with ${args.length} argument(s)`, position);
    return { kind: 'call', name: lowerName, args };
  }

  private path(first: string): Expression {
    const segments: PathSegment[] = [{ kind: 'field', name: first }];
    for (;;) {
      if (this.acceptSymbol('.')) {
        const field = this.next();
        if (field.type === 'symbol' && field.value === '*')
          throw new UnsupportedSqlError('wildcard path .*', field.position);
        if (field.type !== 'identifier' && field.type !== 'keyword')
          throw new UnsupportedSqlError(`path segment ${describe(field)}`, field.position);
        segments.push({ kind: 'field', name: String(field.value) });
      } else if (this.acceptSymbol('[')) {
        const indexToken = this.next();
        if (indexToken.type !== 'number' || !Number.isInteger(indexToken.value))
          throw new UnsupportedSqlError(`array index ${describe(indexToken)}`, indexToken.position);
        this.expectSymbol(']');
        segments.push({ kind: 'index', index: indexToken.value });
      } else {
        return { kind: 'path', segments };
      }
    }
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { type: 'end', position: -1 };
  }

  private next(): Token {
    const token = this.peek();
    this.index++;
    return token;
  }

  private acceptSymbol(value: string): boolean {
    const token = this.peek();
    if (token.type === 'symbol' && token.value === value) {
      this.index++;
      return true;
    }
    return false;
  }

  private acceptKeyword(value: string): boolean {
    const token = this.peek();
    if (token.type === 'keyword' && token.value === value) {
      this.index++;
      return true;
    }
    return false;
  }

  private expectSymbol(value: string): void {
    const token = this.peek();
    if (!this.acceptSymbol(value))
      throw new UnsupportedSqlError(`${describe(token)} (expected '${value}')`, token.position);
  }

  private expectKeyword(value: string): void {
    const token = this.peek();
    if (!this.acceptKeyword(value))
      throw new UnsupportedSqlError(`${describe(token)} (expected ${value})`, token.position);
  }
}

function describe(token: Token): string {
  return token.type === 'end' ? 'end of statement' : `${token.type} '${String(token.value)}'`;
}
