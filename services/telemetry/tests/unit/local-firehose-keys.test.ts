import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { deviceToCloudTopics, presenceTopics } from '@evcharge/domain';
import { DeliveryStream } from '@evcharge/local-cloud';
import { describe, expect, it } from '@jest/globals';
import { archiveLayout, archivePrefix } from '../../src/analytics/archive-layout.js';

// The local cloud's Firehose (jq over each record, the Prefix of serverless.yml) files every device topic under the
// key archivePrefix() gives, so the local archive has the S3 layout the analytics and Athena read.

const definition = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
// The delivery stream's Prefix (the bucket's lifecycle rules have plain `Prefix: archive/` lines too).
const prefix = /^\s+Prefix: (\S*!\{\S*)$/m.exec(definition)?.[1] ?? '';
const topics = [...Object.values(deviceToCloudTopics), ...Object.values(presenceTopics)].map((template) =>
  template.replace('{chargerId}', 'CP-1').replace('{clientId}', 'CP-1'),
);

describe('the local Firehose and archivePrefix()', () => {
  it('reads the Prefix from serverless.yml', () => {
    expect(prefix).toContain('!{partitionKeyFromQuery:kind}');
  });

  it.each(topics)('file %s under archivePrefix(), across an hour and a day boundary', async (topic) => {
    const delivered: { key: string; records: { topic: string; receivedAt: number }[] }[] = [];
    const stream = await DeliveryStream.create(
      {
        name: 'ev-charging-local-telemetry-archive',
        bucketName: 'bucket',
        prefix,
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/',
        bufferIntervalS: 300,
        bufferSizeMb: 64,
        metadataExtractionQuery: archiveLayout.metadataExtractionQuery,
        gzip: true,
      },
      {
        sink: {
          putObject: async (_bucket, key, body) => {
            const lines = gunzipSync(body).toString().trim().split('\n');
            delivered.push({ key, records: lines.map((line) => JSON.parse(line)) });
          },
        },
      },
    );
    for (const receivedAt of [Date.parse('2026-12-06T23:59:59.999Z'), Date.parse('2026-12-07T00:00:00.000Z')])
      stream.putRecord(Buffer.from(`${JSON.stringify({ topic, receivedAt, chargerId: 'CP-1' })}\n`));
    await stream.stop();
    expect(delivered).toHaveLength(2);
    for (const { key, records } of delivered) {
      expect(records).toHaveLength(1);
      expect(key.slice(0, key.lastIndexOf('/') + 1)).toBe(
        archivePrefix(records[0] as { topic: string; receivedAt: number }),
      );
    }
  });
});
