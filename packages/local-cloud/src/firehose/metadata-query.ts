import jqWeb from 'jq-web';

// Firehose's dynamic partitioning runs a JQ query over each record (JsonParsingEngine JQ-1.6). Locally jq itself
// runs it, compiled to WebAssembly (jq-web, from the npm registry, offline): no subset to keep in step with jq.

/** Thrown at start-up for a query jq cannot compile. */
export class MetadataQueryError extends Error {
  override name = 'MetadataQueryError';
}

/** A record's partition keys, as the query's object output (values as text, like Firehose's). */
export type MetadataQuery = (record: unknown) => Record<string, string>;

/** Loads jq once and compiles-checks the query; the returned function evaluates it per record. */
export async function compileMetadataQuery(query: string, streamName: string): Promise<MetadataQuery> {
  const jq = await jqWeb;
  const run = (record: unknown): unknown => {
    // jq-web leaves a failed filter's exit status in process.exitCode when it was unset: put it back.
    const exitCode = process.exitCode;
    try {
      return jq.json(record, query);
    } finally {
      process.exitCode = exitCode;
    }
  };
  try {
    run({});
  } catch (error) {
    // A runtime error on the empty record is fine (e.g. splitting a missing field); a compile error is not.
    const message = (error as Error).message;
    if (/compile error/.test(message))
      throw new MetadataQueryError(`delivery stream ${streamName}: MetadataExtractionQuery: ${message}`);
  }
  return (record) => {
    const output = run(record);
    if (typeof output !== 'object' || output === null || Array.isArray(output))
      throw new Error(`MetadataExtractionQuery gave ${JSON.stringify(output)}, not one object`);
    return Object.fromEntries(
      Object.entries(output).map(([key, value]) => {
        if (value === null || typeof value === 'object')
          throw new Error(`MetadataExtractionQuery key ${key} is ${JSON.stringify(value)}, not a scalar`);
        return [key, String(value)];
      }),
    );
  };
}
