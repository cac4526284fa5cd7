import { UnsupportedSqlError } from './ast.js';

export type Token =
  | { type: 'keyword'; value: string; position: number }
  | { type: 'identifier'; value: string; position: number }
  | { type: 'number'; value: number; position: number }
  | { type: 'string'; value: string; position: number }
  | { type: 'symbol'; value: string; position: number }
  | { type: 'end'; position: number };

const keywords = new Set(['SELECT', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'NULL']);
// Recognised so that they fail with a clear name instead of parsing as identifiers.
const unsupportedKeywords = new Set([
  'CASE',
  'IN',
  'LIKE',
  'IS',
  'BETWEEN',
  'ORDER',
  'GROUP',
  'JOIN',
  'LIMIT',
]);
const symbols = [
  '<>',
  '!=',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '(',
  ')',
  ',',
  '.',
  '*',
  '+',
  '-',
  '/',
  '%',
  '[',
  ']',
];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < sql.length) {
    const char = sql[position] ?? '';
    if (/\s/.test(char)) {
      position++;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = sql.indexOf(char, position + 1);
      if (end < 0) throw new UnsupportedSqlError('unterminated string', position);
      tokens.push({ type: 'string', value: sql.slice(position + 1, end), position });
      position = end + 1;
      continue;
    }
    if (char === '`') throw new UnsupportedSqlError('backquoted identifier', position);
    const numberMatch = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sql.slice(position));
    if (numberMatch) {
      tokens.push({ type: 'number', value: Number(numberMatch[0]), position });
      position += numberMatch[0].length;
      continue;
    }
    const wordMatch = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(sql.slice(position));
    if (wordMatch) {
      const upper = wordMatch[0].toUpperCase();
      if (unsupportedKeywords.has(upper)) throw new UnsupportedSqlError(upper, position);
      tokens.push(
        keywords.has(upper)
          ? { type: 'keyword', value: upper, position }
          : { type: 'identifier', value: wordMatch[0], position },
      );
      position += wordMatch[0].length;
      continue;
    }
    const symbol = symbols.find((candidate) => sql.startsWith(candidate, position));
    if (!symbol) throw new UnsupportedSqlError(`character '${char}'`, position);
    tokens.push({ type: 'symbol', value: symbol === '!=' ? '<>' : symbol, position });
    position += symbol.length;
  }
  tokens.push({ type: 'end', position });
  return tokens;
}
