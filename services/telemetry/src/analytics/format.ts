import type { Row } from './engine.js';

export type OutputFormat = 'table' | 'json' | 'csv';

const cell = (value: unknown) =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

function csvCell(value: unknown): string {
  const text = cell(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as an aligned text table, JSON (one array) or CSV with a header line. */
export function formatRows(rows: Row[], format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (format === 'csv')
    return [
      columns.join(','),
      ...rows.map((row) => columns.map((name) => csvCell(row[name])).join(',')),
    ].join('\n');
  if (rows.length === 0) return '(no rows)';
  const widths = columns.map((name) => Math.max(name.length, ...rows.map((row) => cell(row[name]).length)));
  const line = (cells: string[]) =>
    cells
      .map((text, index) => text.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(columns.map((name) => cell(row[name])))),
  ].join('\n');
}
