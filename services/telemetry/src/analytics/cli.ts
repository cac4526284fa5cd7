import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { athenaTargetOf, runAthenaQuery, startQueryInput } from './athena.js';
import { openLocalArchive, type Row, runNamedQuery, runSql } from './engine.js';
import { formatRows, type OutputFormat } from './format.js';
import { localBucketDir } from './local-archive-dir.js';
import { namedQueries, namedQuery, type QueryFilters, queryText } from './queries.js';

const usage = `npm run analytics -- <named-query> [--from DATE] [--to DATE] [--charger ID] [--session ID] [--format table|json|csv]
npm run analytics -- --sql "SELECT kind, count(*) FROM archive GROUP BY kind" [--format …]
  --data-dir DIR     the local cloud's data dir (default: $LOCAL_CLOUD_DATA_DIR, else .local-cloud)
  --bucket-dir DIR   the archive bucket's directory itself (holds archive/kind=…/day=…/hour=…/*.gz)
  --aws              run the query's Athena text on the deployed archive instead (AWS credentials and region from
                     the environment); --stage S (default $STAGE, else dev) names the Glue database
                     ev_charging_<stage>_telemetry and the workgroup telemetry-<stage> (--workgroup W to choose another)
named queries:
${namedQueries.map((query) => `  ${query.name.padEnd(24)} ${query.description}`).join('\n')}`;

const today = () => new Date().toISOString().slice(0, 10);

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      charger: { type: 'string' },
      session: { type: 'string' },
      format: { type: 'string', default: 'table' },
      sql: { type: 'string' },
      'data-dir': { type: 'string' },
      'bucket-dir': { type: 'string' },
      aws: { type: 'boolean' },
      stage: { type: 'string' },
      workgroup: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [name] = positionals;
  if (values.help || (!name && !values.sql)) {
    console.log(usage);
    return;
  }
  const format = values.format as OutputFormat;
  if (!['table', 'json', 'csv'].includes(format))
    throw new RangeError(`--format ${format}: table, json or csv`);
  for (const day of [values.from, values.to])
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day))
      throw new RangeError(`${day}: a date is YYYY-MM-DD`);
  const filters: QueryFilters = {
    from: values.from ?? '1970-01-01',
    to: values.to ?? today(),
    ...(values.charger ? { chargerId: values.charger } : {}),
    ...(values.session ? { session: values.session } : {}),
  };
  if (!values.aws)
    for (const awsOnly of ['stage', 'workgroup'] as const)
      if (values[awsOnly] !== undefined) throw new RangeError(`--${awsOnly} is only used with --aws`);
  const rows = values.aws
    ? await onAthena(values.sql, name, filters, values.stage ?? process.env.STAGE ?? 'dev', values.workgroup)
    : await onLocalArchive(
        values.sql,
        name,
        filters,
        values['bucket-dir'] ?? localBucketDir(values['data-dir']),
      );
  console.log(formatRows(rows, format));
}

async function onLocalArchive(
  sql: string | undefined,
  name: string | undefined,
  filters: QueryFilters,
  bucketDir: string,
) {
  const archive = await openLocalArchive(bucketDir);
  try {
    return sql ? await runSql(archive, sql) : await runNamedQuery(archive, name as string, filters);
  } finally {
    archive.close();
  }
}

async function onAthena(
  sql: string | undefined,
  name: string | undefined,
  filters: QueryFilters,
  stage: string,
  workgroup: string | undefined,
): Promise<Row[]> {
  const target = athenaTargetOf(stage, workgroup);
  const input = sql
    ? startQueryInput(sql, [], target)
    : startQueryInput(
        queryText(name as string, 'athena'),
        namedQuery(name as string).parameters(filters),
        target,
      );
  const athena = new AthenaClient({});
  try {
    return await runAthenaQuery(athena, input);
  } finally {
    athena.destroy();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`analytics: ${error.message}`);
  process.exitCode = 1;
});
