import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { Row } from './engine.js';

// `npm run analytics -- … --aws`: the same named query's Athena text on the deployed archive (serverless.yml's
// workgroup and Glue database), its `?` bound with ExecutionParameters, the rows shaped like DuckDB's.

export interface AthenaTarget {
  workgroup: string;
  database: string;
}

/** The stage's workgroup and database, as serverless.yml names them. */
export const athenaTargetOf = (stage: string, workgroup?: string): AthenaTarget => ({
  workgroup: workgroup ?? `telemetry-${stage}`,
  database: `ev_charging_${stage}_telemetry`,
});

/** A parameter as Athena takes it: a SQL literal (strings quoted, quotes doubled). */
export const executionParameter = (value: string) => `'${value.replaceAll("'", "''")}'`;

export function startQueryInput(
  sql: string,
  parameters: string[],
  target: AthenaTarget,
): StartQueryExecutionCommandInput {
  return {
    QueryString: sql,
    WorkGroup: target.workgroup,
    QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: target.database },
    ...(parameters.length > 0 ? { ExecutionParameters: parameters.map(executionParameter) } : {}),
  };
}

const numericTypes = new Set([
  'tinyint',
  'smallint',
  'integer',
  'int',
  'bigint',
  'double',
  'float',
  'real',
  'decimal',
]);

type ResultPage = Pick<GetQueryResultsCommandOutput, 'ResultSet'>;

/**
 * Rows of result pages as plain objects: numbers for numeric columns (DuckDB's rows have them too), booleans,
 * null for a missing value; the header row Athena puts first on the first page is dropped.
 */
export function rowsOfPages(pages: ResultPage[]): Row[] {
  const columns = pages[0]?.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
  const names = columns.map((column) => column.Label ?? column.Name ?? '');
  const value = (text: string | undefined, type: string | undefined): unknown => {
    if (text === undefined) return null;
    if (numericTypes.has((type ?? '').toLowerCase())) return Number(text);
    if (type === 'boolean') return text === 'true';
    return text;
  };
  return pages.flatMap((page, pageIndex) => {
    const rows = page.ResultSet?.Rows ?? [];
    const header =
      pageIndex === 0 && rows[0]?.Data?.every((datum, index) => datum.VarCharValue === names[index]);
    return rows
      .slice(header ? 1 : 0)
      .map((row) =>
        Object.fromEntries(
          names.map((name, index) => [name, value(row.Data?.[index]?.VarCharValue, columns[index]?.Type)]),
        ),
      );
  });
}

export interface AthenaRunOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Gives up (and says which query id) after this long; default 5 minutes. */
  timeoutMs?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the query, polls until it ends (250 ms doubling to 2 s), and reads every result page. */
export async function runAthenaQuery(
  athena: AthenaClient,
  input: StartQueryExecutionCommandInput,
  options: AthenaRunOptions = {},
): Promise<Row[]> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand(input));
  if (!QueryExecutionId) throw new Error('Athena started no query');
  for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED')
      throw new Error(
        `Athena query ${QueryExecutionId} ${state}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
      );
    if (Date.now() > deadline)
      throw new Error(`Athena query ${QueryExecutionId} still ${state} after the timeout`);
    await sleep(wait);
  }
  const pages: ResultPage[] = [];
  let NextToken: string | undefined;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId, NextToken }));
    pages.push(page);
    NextToken = page.NextToken;
  } while (NextToken);
  return rowsOfPages(pages);
}
