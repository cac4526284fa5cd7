import jqWeb from 'jq-web';

// Firehose's dynamic partitioning runs a JQ query over each record (JsonParsingEngine JQ-1.6). Locally jq itself
// runs it, compiled to WebAssembly (jq-web, from the npm registry, offline): no subset to keep in step with jq.
// jq compiles its program on every call (about 1.5 ms here), so records are run in batches, one call for many:
// each record inside its own `try`, so one record's error fails that record alone, as in Firehose.

/** Thrown at start-up for a query jq cannot compile. */
export class MetadataQueryError extends Error {
  override name = 'MetadataQueryError';
}

/** A record's partition keys, as the query's object output (values as text, like Firehose's). */
export type PartitionKeys = Record<string, string>;

/** Each record's partition keys, or the error that keeps the record from being placed, in the records' order. */
export type MetadataQuery = (records: unknown[]) => (PartitionKeys | Error)[];

// Marks a record's error in the batch's output (a query's own output would have to name it on purpose).
const errorKey = '\u0000jqError';

/** Loads jq once and compile-checks the query; the returned function evaluates it over a batch of records. */
export async function compileMetadataQuery(query: string, streamName: string): Promise<MetadataQuery> {
  const jq = await jqWeb;
  // Newlines around the query: a query ending in a `# comment` must not comment out the wrapper's end.
  const batchQuery = `map([try (\n${query}\n) catch {${JSON.stringify(errorKey)}: .}])`;
  const run = (input: unknown, filter: string): unknown => {
    // jq-web leaves a failed filter's exit status in process.exitCode when it was unset: put it back.
    const exitCode = process.exitCode;
    try {
      return jq.json(input, filter);
    } finally {
      process.exitCode = exitCode;
    }
  };
  try {
    run([{}], batchQuery);
  } catch (error) {
    // A runtime error on the empty record is fine (e.g. halt_error); a compile error of the query is not.
    const message = (error as Error).message;
    if (/compile error/.test(message))
      throw new MetadataQueryError(`delivery stream ${streamName}: MetadataExtractionQuery: ${message}`);
  }
  const place = (records: unknown[]): (PartitionKeys | Error)[] =>
    (run(records, batchQuery) as unknown[][]).map((outputs) => {
      try {
        return partitionKeysOf(outputs);
      } catch (error) {
        return error as Error;
      }
    });
  return (records) => {
    if (records.length === 0) return [];
    try {
      return place(records);
    } catch {
      // Something `try` does not catch (halt, halt_error) stopped the batch: batches of one record, then.
      return records.map((record) => {
        try {
          return place([record])[0] as PartitionKeys | Error;
        } catch (error) {
          return error as Error;
        }
      });
    }
  };
}

function partitionKeysOf(outputs: unknown[]): PartitionKeys {
  const failed = outputs.find(
    (output): output is Record<string, unknown> => isObject(output) && errorKey in output,
  );
  if (failed) throw new Error(String(failed[errorKey]));
  const [output] = outputs;
  if (outputs.length !== 1 || !isObject(output))
    throw new Error(
      `MetadataExtractionQuery gave ${outputs.map((each) => JSON.stringify(each)).join(', ') || 'nothing'}, not one object`,
    );
  return Object.fromEntries(
    Object.entries(output).map(([key, value]) => {
      if (value === null || typeof value === 'object')
        throw new Error(`MetadataExtractionQuery key ${key} is ${JSON.stringify(value)}, not a scalar`);
      return [key, String(value)];
    }),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
