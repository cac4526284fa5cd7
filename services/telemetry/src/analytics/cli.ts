import { parseArgs } from 'node:util';
import { openLocalArchive, runNamedQuery, runSql } from './engine.js';
import { formatRows, type OutputFormat } from './format.js';
import { localBucketDir } from './local-archive-dir.js';
import { namedQueries } from './queries.js';

const usage = `npm run analytics -- <named-query> [--from DATE] [--to DATE] [--charger ID] [--session ID] [--format table|json|csv]
npm run analytics -- --sql "SELECT kind, count(*) FROM archive GROUP BY kind" [--format …]
  --data-dir DIR     the local cloud's data dir (default: $LOCAL_CLOUD_DATA_DIR, else .local-cloud)
  --bucket-dir DIR   the archive bucket's directory itself (holds archive/kind=…/day=…/hour=…/*.gz)
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
  const archive = await openLocalArchive(values['bucket-dir'] ?? localBucketDir(values['data-dir']));
  try {
    const rows = values.sql
      ? await runSql(archive, values.sql)
      : await runNamedQuery(archive, name as string, {
          from: values.from ?? '1970-01-01',
          to: values.to ?? today(),
          ...(values.charger ? { chargerId: values.charger } : {}),
          ...(values.session ? { session: values.session } : {}),
        });
    console.log(formatRows(rows, format));
  } finally {
    archive.close();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`analytics: ${error.message}`);
  process.exitCode = 1;
});
