import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { archiveLayout, duckdbColumns } from './archive-layout.js';
import { namedQuery, type QueryFilters, queryText } from './queries.js';

// DuckDB over a local archive: a directory holding `archive/kind=…/day=…/hour=…/*.gz` exactly as the S3 bucket
// holds its keys. The view `archive` has the Glue table's columns and partition columns, so one SQL text serves both.

export type Row = Record<string, unknown>;

export interface LocalArchive {
  connection: DuckDBConnection;
  close(): void;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

export async function openLocalArchive(bucketDir: string): Promise<LocalArchive> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const glob = join(bucketDir, archiveLayout.keyPrefix, '*', '*', '*', '*.gz');
  const columns = Object.entries(duckdbColumns());
  const partitions = archiveLayout.partitionKeys.map(
    (key) => [key.Name, key.Type === 'int' ? 'INTEGER' : 'VARCHAR'] as const,
  );
  const struct = (entries: readonly (readonly [string, string])[]) =>
    `{${entries.map(([name, type]) => `${quote(name)}: ${quote(type)}`).join(', ')}}`;
  // An empty archive is an empty table with the same columns, not an error: nothing has been archived yet.
  const view = existsSync(join(bucketDir, archiveLayout.keyPrefix))
    ? `CREATE VIEW archive AS SELECT * FROM read_json(${quote(glob)}, format = 'newline_delimited', compression = 'gzip', hive_partitioning = true, hive_types = ${struct(partitions)}, columns = ${struct(columns)})`
    : `CREATE TABLE archive (${[...columns, ...partitions].map(([name, type]) => `"${name}" ${type}`).join(', ')})`;
  await connection.run(view);
  return { connection, close: () => connection.closeSync() };
}

/** Runs SQL with positional parameters (strings) and returns plain rows (BIGINT as number, DECIMAL as number). */
export async function runSql(archive: LocalArchive, sql: string, parameters: string[] = []): Promise<Row[]> {
  const prepared = await archive.connection.prepare(sql);
  parameters.forEach((value, index) => {
    prepared.bindVarchar(index + 1, value);
  });
  const reader = await prepared.runAndReadAll();
  return reader
    .getRowObjectsJson()
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, value]) => [
          name,
          typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && isNumericColumn(reader, name)
            ? Number(value)
            : value,
        ]),
      ),
    );
}

function isNumericColumn(
  reader: { columnNames(): string[]; columnTypes(): { toString(): string }[] },
  name: string,
) {
  const index = reader.columnNames().indexOf(name);
  const type = reader.columnTypes()[index]?.toString() ?? '';
  return /^(BIGINT|HUGEINT|UBIGINT|DECIMAL|INTEGER|DOUBLE)/.test(type);
}

/** A named query over the local archive. */
export async function runNamedQuery(
  archive: LocalArchive,
  name: string,
  filters: QueryFilters,
): Promise<Row[]> {
  return runSql(archive, queryText(name, 'duckdb'), namedQuery(name).parameters(filters));
}
