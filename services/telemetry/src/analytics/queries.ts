import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The named queries: one SQL text in queries/<name>.sql where DuckDB and Athena agree, or <name>.duckdb.sql beside
// <name>.athena.sql where they do not (the difference is in README "Queries"). serverless.yml's named queries read
// the Athena text of the same files. Parameters are positional `?` (both engines bind them).

export type Engine = 'duckdb' | 'athena';

export interface QueryFilters {
  /** First and last day, yyyy-MM-dd (inclusive). */
  from: string;
  to: string;
  /** One charger id, or undefined for all. */
  chargerId?: string;
  /** session-messages: the sessionId (or v2 transactionId). */
  session?: string;
}

export interface NamedQuery {
  name: string;
  description: string;
  /** The parameters in the order the text's `?` take them. */
  parameters: (filters: QueryFilters) => string[];
}

/** The charger filter as a LIKE pattern (`\` escapes `_` and `%`, which charger ids may contain). */
export const chargerPattern = (chargerId?: string) =>
  chargerId === undefined ? '%' : chargerId.replace(/[\\_%]/g, (char) => `\\${char}`);

const dayAndCharger = (filters: QueryFilters) => [
  filters.from,
  filters.to,
  chargerPattern(filters.chargerId),
];

export const namedQueries: NamedQuery[] = [
  {
    name: 'energy-per-charger-day',
    description: 'energy (Wh) per charger per day, from register readings (v1 and v2)',
    parameters: dayAndCharger,
  },
  {
    name: 'sessions-per-hour',
    description: 'session starts per hour (v1 auth requests, v2 transaction starts)',
    parameters: dayAndCharger,
  },
  {
    name: 'uptime-per-charger',
    description: 'connected time per charger, from lifecycle events',
    parameters: dayAndCharger,
  },
  {
    name: 'faults-by-error-code',
    description: 'status notifications with an error, by error code',
    parameters: dayAndCharger,
  },
  {
    name: 'session-messages',
    description: 'the raw messages of one session (--session: sessionId or v2 transactionId)',
    parameters: (filters) => {
      if (!filters.session)
        throw new RangeError('session-messages needs --session <sessionId|transactionId>');
      return [...dayAndCharger(filters), filters.session, filters.session];
    },
  },
];

export const queriesDir = join(import.meta.dirname, 'queries');

/** The text of a named query for an engine: its own file when the dialects differ, else the shared one. */
export function queryText(name: string, engine: Engine, dir = queriesDir): string {
  const own = join(dir, `${name}.${engine}.sql`);
  const shared = join(dir, `${name}.sql`);
  if (existsSync(own)) return readFileSync(own, 'utf8');
  if (existsSync(shared)) return readFileSync(shared, 'utf8');
  throw new RangeError(
    `unknown query ${name} (known: ${namedQueries.map((query) => query.name).join(', ')})`,
  );
}

export function namedQuery(name: string): NamedQuery {
  const query = namedQueries.find((candidate) => candidate.name === name);
  if (!query)
    throw new RangeError(
      `unknown query ${name} (known: ${namedQueries.map((known) => known.name).join(', ')})`,
    );
  return query;
}
