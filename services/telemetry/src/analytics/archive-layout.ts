import layout from './archive-layout.json' with { type: 'json' };

// The archive's layout, written once in archive-layout.json: serverless.yml builds the Firehose prefix query and
// the Glue table from it, and the local DuckDB view reads the same keys and columns.

export { layout as archiveLayout };

/** The kind an archived message is filed under: the topic after `chargers/{id}/` joined by `-`, or the lifecycle event type. */
export function kindOfTopic(topic: string): string {
  const levels = topic.split('/');
  return levels[0] === '$aws' ? (levels[3] ?? '') : levels.slice(2).join('-');
}

/** The S3 key prefix (and local directory) of a message received at `receivedAt` (epoch ms), as Firehose writes it. */
export function archivePrefix(record: { topic: string; receivedAt: number }): string {
  const received = new Date(record.receivedAt).toISOString();
  return `${layout.keyPrefix}kind=${kindOfTopic(record.topic)}/day=${received.slice(0, 10)}/hour=${received.slice(11, 13)}/`;
}

const jsonKeyOf = new Map(layout.jsonKeys.map((key) => [key.toLowerCase(), key]));

/** A Glue column or field name as the JSON spells it (Glue lower-cases; DuckDB matches keys exactly). */
const jsonKey = (name: string) => jsonKeyOf.get(name) ?? name;

/** A Hive (Glue) type as a DuckDB type: `array<struct<a:string>>` → `STRUCT("a" VARCHAR)[]`. */
export function duckdbType(hiveType: string): string {
  const type = hiveType.trim();
  const scalar: Record<string, string> = {
    string: 'VARCHAR',
    bigint: 'BIGINT',
    int: 'INTEGER',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
  };
  if (scalar[type]) return scalar[type] as string;
  if (type.startsWith('array<') && type.endsWith('>')) return `${duckdbType(type.slice(6, -1))}[]`;
  if (type.startsWith('struct<') && type.endsWith('>')) {
    const fields = splitTopLevel(type.slice(7, -1)).map((field) => {
      const colon = field.indexOf(':');
      return `"${jsonKey(field.slice(0, colon))}" ${duckdbType(field.slice(colon + 1))}`;
    });
    return `STRUCT(${fields.join(', ')})`;
  }
  throw new Error(`archive-layout.json: no DuckDB type for ${hiveType}`);
}

function splitTopLevel(fields: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < fields.length; index++) {
    const char = fields[index];
    if (char === '<') depth++;
    else if (char === '>') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(fields.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(fields.slice(start));
  return parts;
}

/** The `columns` argument of DuckDB's read_json for the archive: every Glue column, keyed as the JSON spells it. */
export function duckdbColumns(): Record<string, string> {
  return Object.fromEntries(layout.columns.map((column) => [jsonKey(column.Name), duckdbType(column.Type)]));
}
