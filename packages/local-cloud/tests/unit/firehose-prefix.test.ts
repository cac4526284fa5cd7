import { describe, expect, it } from '@jest/globals';
import { compileMetadataQuery, MetadataQueryError } from '../../src/firehose/metadata-query.js';
import {
  expandPrefix,
  PrefixError,
  parsePrefix,
  partitionKeysOf,
  withDefaultTimePrefix,
} from '../../src/firehose/prefix.js';

const at = new Date('2026-12-06T07:08:09.123Z');

describe('Firehose S3 prefixes', () => {
  it('expands partition keys from the query and the timestamp of the oldest record', () => {
    const parts = parsePrefix('archive/kind=!{partitionKeyFromQuery:kind}/day=!{timestamp:yyyy-MM-dd}/');
    expect(partitionKeysOf(parts)).toEqual(['kind']);
    expect(expandPrefix(parts, { at, partitionKeys: { kind: 'meter' } })).toBe(
      'archive/kind=meter/day=2026-12-06/',
    );
    expect(expandPrefix(parsePrefix('!{timestamp:yyyy/MM/dd/HH/mm/ss}'), { at })).toBe('2026/12/06/07/08/09');
  });

  it('names the error output type in ErrorOutputPrefix only', () => {
    const parts = parsePrefix('errors/!{firehose:error-output-type}/day=!{timestamp:yyyy-MM-dd}/', true);
    expect(expandPrefix(parts, { at, errorOutputType: 'partitioning-failed' })).toBe(
      'errors/partitioning-failed/day=2026-12-06/',
    );
    expect(() => parsePrefix('x/!{firehose:error-output-type}/')).toThrow(PrefixError);
  });

  it('appends yyyy/MM/dd/HH/ when a prefix names no time and partitions by nothing, as Firehose does', () => {
    expect(expandPrefix(withDefaultTimePrefix(parsePrefix('raw/'), false), { at })).toBe(
      'raw/2026/12/06/07/',
    );
    expect(expandPrefix(withDefaultTimePrefix(parsePrefix('raw/'), true), { at })).toBe('raw/');
  });

  it('fails on an expression it cannot expand, naming it', () => {
    expect(() => parsePrefix('a/!{partitionKeyFromLambda:kind}/')).toThrow(
      'prefix expression !{partitionKeyFromLambda:kind} is not emulated by the local Firehose',
    );
    expect(() => parsePrefix('a/!{timestamp:yyyy-ww}/')).toThrow('timestamp field ww');
  });

  it('fails a record whose partition key the query did not give', () => {
    const parts = parsePrefix('kind=!{partitionKeyFromQuery:kind}/');
    expect(() => expandPrefix(parts, { at, partitionKeys: {} })).toThrow('partition key kind missing');
  });
});

describe('the metadata extraction query (jq)', () => {
  const query = '{kind: (.topic | split("/") | .[2]), day: (.receivedAt / 1000 | strftime("%Y-%m-%d"))}';

  it('gives each record its partition keys as text', async () => {
    const extract = await compileMetadataQuery(query, 'stream');
    const [placed, failed, next] = extract([
      { topic: 'chargers/CP-1/meter', receivedAt: at.getTime() },
      { receivedAt: 1 },
      { topic: 'chargers/CP-2/status', receivedAt: at.getTime() },
    ]);
    expect(placed).toEqual({ kind: 'meter', day: '2026-12-06' });
    // One record's error fails that record alone: the batch goes on.
    expect(failed).toEqual(new Error('split input and separator must be strings'));
    expect(next).toEqual({ kind: 'status', day: '2026-12-06' });
    // A failed record leaves the process's exit status alone (jq-web would set it).
    expect(process.exitCode).toBeUndefined();
  });

  it('refuses an output that is not one object of scalars', async () => {
    const scalar = await compileMetadataQuery('.topic', 's');
    expect(scalar([{ topic: 'x' }])).toEqual([new Error('MetadataExtractionQuery gave "x", not one object')]);
    const nested = await compileMetadataQuery('{kind: {a: 1}}', 's');
    expect(nested([{}])).toEqual([new Error('MetadataExtractionQuery key kind is {"a":1}, not a scalar')]);
    const two = await compileMetadataQuery('{kind: .a}, {kind: .b}', 's');
    expect(two([{ a: 1, b: 2 }])).toEqual([
      new Error('MetadataExtractionQuery gave {"kind":1}, {"kind":2}, not one object'),
    ]);
    const none = await compileMetadataQuery('empty', 's');
    expect(none([{}])).toEqual([new Error('MetadataExtractionQuery gave nothing, not one object')]);
  });

  it('runs a query that ends in a comment, and a record that halts jq fails alone', async () => {
    const commented = await compileMetadataQuery('{kind: .kind} # the message kind', 's');
    expect(commented([{ kind: 'meter' }, { kind: 'status' }])).toEqual([
      { kind: 'meter' },
      { kind: 'status' },
    ]);
    // halt_error escapes jq's `try`: the batch stops, and each record is then run on its own.
    const halting = await compileMetadataQuery(
      'if .kind == "bad" then halt_error else {kind: .kind} end',
      's',
    );
    const [before, halted, after] = halting([{ kind: 'meter' }, { kind: 'bad' }, { kind: 'status' }]);
    expect(before).toEqual({ kind: 'meter' });
    expect(halted).toBeInstanceOf(Error);
    expect(after).toEqual({ kind: 'status' });
    expect(process.exitCode).toBeUndefined();
  });

  it('fails start-up on a query jq cannot compile', async () => {
    await expect(compileMetadataQuery('{kind: (.topic | nosuchfn)}', 'archive')).rejects.toThrow(
      MetadataQueryError,
    );
  });
});
