import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { DeliveryStreamConfig } from '../../src/config/model.js';
import { DeliveryStream } from '../../src/firehose/delivery-stream.js';

const config: DeliveryStreamConfig = {
  name: 'archive-stream',
  bucketName: 'bucket',
  prefix: 'archive/kind=!{partitionKeyFromQuery:kind}/',
  errorOutputPrefix: 'errors/!{firehose:error-output-type}/day=!{timestamp:yyyy-MM-dd}/',
  bufferIntervalS: 3600,
  bufferSizeMb: 1,
  metadataExtractionQuery: '{kind: .kind}',
  gzip: true,
};

const record = (kind: string | undefined, text = 'x') => Buffer.from(`${JSON.stringify({ kind, text })}\n`);

function fakeSink() {
  const objects: { bucket: string; key: string; lines: string[] }[] = [];
  let failNext = false;
  return {
    objects,
    failOnce: () => {
      failNext = true;
    },
    putObject: async (bucket: string, key: string, body: Buffer) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      objects.push({ bucket, key, lines: gunzipSync(body).toString().trim().split('\n') });
    },
  };
}

const streams: DeliveryStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.stop();
});

async function stream(
  overrides: Partial<DeliveryStreamConfig>,
  sink = fakeSink(),
  now = () => Date.parse('2026-12-06T07:08:09Z'),
) {
  const created = await DeliveryStream.create({ ...config, ...overrides }, { sink, now });
  streams.push(created);
  return { created, sink };
}

describe('a local Firehose delivery stream', () => {
  it('buffers per partition and delivers one GZIP object per partition, named as Firehose names them', async () => {
    const { created, sink } = await stream({});
    created.putRecord(record('meter', 'a'));
    created.putRecord(record('status', 'b'));
    created.putRecord(record('meter', 'c'));
    expect(sink.objects).toEqual([]);
    await created.flush();
    expect(
      sink.objects.map((object) => [object.key.split('/').slice(0, 2).join('/'), object.lines.length]),
    ).toEqual([
      ['archive/kind=meter', 2],
      ['archive/kind=status', 1],
    ]);
    for (const { key, bucket } of sink.objects) {
      expect(bucket).toBe('bucket');
      expect(key).toMatch(/^archive\/kind=\w+\/archive-stream-1-2026-12-06-07-08-09-[0-9a-f-]{36}\.gz$/);
    }
    expect(JSON.parse(sink.objects[0]?.lines[1] ?? '')).toEqual({ kind: 'meter', text: 'c' });
  });

  it('delivers a partition as soon as it holds SizeInMBs', async () => {
    const { created, sink } = await stream({});
    const big = 'y'.repeat(400 * 1024);
    created.putRecord(record('meter', big));
    created.putRecord(record('meter', big));
    expect(sink.objects).toEqual([]);
    created.putRecord(record('meter', big));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.objects.map((object) => object.lines.length)).toEqual([3]);
  });

  it('delivers a partition IntervalInSeconds after its first record, records placed in batches meanwhile', async () => {
    const { created, sink } = await stream({ bufferIntervalS: 0.2 });
    created.putRecord(record('meter', 'a'));
    // Put in later turns, within the first record's interval: the same object.
    await new Promise((resolve) => setTimeout(resolve, 20));
    created.putRecord(record('meter', 'b'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    created.putRecord(record('status', 'c'));
    expect(sink.objects).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(sink.objects.map((object) => object.lines.map((line) => JSON.parse(line).text))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
  });

  it('files a record the query cannot place under ErrorOutputPrefix', async () => {
    const { created, sink } = await stream({});
    created.putRecord(Buffer.from('not json\n'));
    created.putRecord(record(undefined));
    await created.stop();
    expect(
      sink.objects.map((object) => [object.key.replace(/archive-stream.*$/, ''), object.lines.length]),
    ).toEqual([['errors/partitioning-failed/day=2026-12-06/', 2]]);
  });

  it('places a burst of records each by its own keys: one bad record fails alone, the order within a partition kept', async () => {
    const { created, sink } = await stream({});
    for (let index = 0; index < 300; index++) {
      if (index === 100) created.putRecord(Buffer.from('{"kind": \n'));
      if (index === 200) created.putRecord(record(undefined, 'no kind'));
      created.putRecord(record(index % 3 === 0 ? 'status' : 'meter', String(index)));
    }
    await created.stop();
    const lines = (prefix: string) =>
      sink.objects.filter((object) => object.key.startsWith(prefix)).flatMap((object) => object.lines);
    const texts = (prefix: string) => lines(prefix).map((line) => JSON.parse(line).text);
    const numbers = [...Array(300).keys()];
    expect(texts('archive/kind=status/')).toEqual(numbers.filter((n) => n % 3 === 0).map(String));
    expect(texts('archive/kind=meter/')).toEqual(numbers.filter((n) => n % 3 !== 0).map(String));
    expect(lines('errors/')).toEqual(['{"kind": ', '{"text":"no kind"}']);
  });

  it('keeps what it could not deliver for the next flush, and stop delivers everything', async () => {
    const { created, sink } = await stream({});
    sink.failOnce();
    created.putRecord(record('meter', 'a'));
    await created.flush();
    expect(sink.objects).toEqual([]);
    created.putRecord(record('meter', 'b'));
    await created.stop();
    expect(sink.objects.flatMap((object) => object.lines.map((line) => JSON.parse(line).text))).toEqual([
      'a',
      'b',
    ]);
  });

  it('writes plain objects without GZIP, under the default time prefix when the Prefix names no time', async () => {
    const plain: { key: string; text: string }[] = [];
    const sink = {
      putObject: async (_bucket: string, key: string, body: Buffer) => {
        plain.push({ key, text: body.toString() });
      },
    };
    const created = await DeliveryStream.create(
      { ...config, gzip: false, prefix: 'raw/', metadataExtractionQuery: undefined },
      { sink, now: () => Date.parse('2026-12-06T07:08:09Z') },
    );
    created.putRecord(Buffer.from('{"a":1}\n'));
    await created.stop();
    expect(plain).toEqual([
      {
        key: expect.stringMatching(
          /^raw\/2026\/12\/06\/07\/archive-stream-1-2026-12-06-07-08-09-[0-9a-f-]{36}$/,
        ),
        text: '{"a":1}\n',
      },
    ]);
  });

  it('fails start-up on partition keys without dynamic partitioning', async () => {
    await expect(
      DeliveryStream.create({ ...config, metadataExtractionQuery: undefined }, { sink: fakeSink() }),
    ).rejects.toThrow('Prefix names partition keys without dynamic partitioning');
  });
});
