import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cloudToDeviceTopics, deviceToCloudTopics, presenceTopics } from '@evcharge/domain';
import { evaluateStatement, parseSql, topicMatches } from '@evcharge/local-cloud';
import { describe, expect, it } from '@jest/globals';
import {
  archiveLayout,
  archivePrefix,
  duckdbColumns,
  kindOfTopic,
} from '../../src/analytics/archive-layout.js';
import { namedQueries, queryText } from '../../src/analytics/queries.js';
import { observationsOf } from '../../src/detectors/index.js';

// serverless.yml against what the code assumes: the rules' SQL (and the local cloud's SQL subset), the Firehose
// prefix query (run with jq, the language Firehose uses), the Glue table and the named queries.

const definition = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
const sqlOf = (group: 'archiveSql' | 'analysisSql') => {
  const block = definition
    .slice(definition.indexOf(`  ${group}:`))
    .split('\n')
    .slice(1);
  const lines = block.slice(
    0,
    block.findIndex((line) => !line.startsWith('    ')),
  );
  return Object.fromEntries(
    lines.map((line) => /^\s+(\w+): "(.*)"$/.exec(line)?.slice(1) as [string, string]),
  );
};
const archiveRules = Object.values(sqlOf('archiveSql')).map((sql) => parseSql(sql));
const analysisRules = Object.values(sqlOf('analysisSql')).map((sql) => parseSql(sql));

const chargerId = 'CP_1-x';
const concrete = (template: string) =>
  template.replace('{chargerId}', chargerId).replace('{clientId}', chargerId);
const message = (topic: string) => ({
  topic,
  clientId: chargerId,
  principal: 'p',
  receivedAt: 1_796_551_200_123,
});
const matching = (rules: ReturnType<typeof parseSql>[], topic: string) =>
  rules.flatMap((rule) => {
    if (!topicMatches(rule.topicFilter, topic)) return [];
    const output = evaluateStatement(rule, { at: 'x' }, message(topic));
    return output ? [output] : [];
  });

/** Archived (and readings analysed) by the rules IoT Basic Ingest reaches: packages/reliability archive-coverage. */
const ingestTopics = [deviceToCloudTopics.heartbeat, deviceToCloudTopics.meter];

describe('the archive rules (local cloud SQL subset)', () => {
  it.each(
    [...Object.values(deviceToCloudTopics), ...Object.values(presenceTopics)]
      .filter((template) => !(ingestTopics as string[]).includes(template))
      .map(concrete),
  )('archive %s exactly once, with chargerId, topic and receive time', (topic) => {
    const outputs = matching(archiveRules, topic);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ chargerId, topic, receivedAt: 1_796_551_200_123, at: 'x' });
  });

  it.each(ingestTopics.map(concrete))(
    'leave %s to the rule Basic Ingest reaches (it archives it)',
    (topic) => {
      expect(matching(archiveRules, topic)).toEqual([]);
    },
  );

  it.each(Object.values(cloudToDeviceTopics).map(concrete))('do not archive %s (cloud → device)', (topic) => {
    expect(matching(archiveRules, topic)).toEqual([]);
  });

  it('file every kind the Glue table projects, and nothing else', () => {
    const kinds = [...Object.values(deviceToCloudTopics), ...Object.values(presenceTopics)].map((template) =>
      kindOfTopic(concrete(template)),
    );
    expect(kinds.sort()).toEqual([...archiveLayout.kinds].sort());
    expect(archiveLayout.kindsCsv).toBe(archiveLayout.kinds.join(','));
  });

  it('send status and lifecycle events to the analysis stream (readings come from the meter rule)', () => {
    for (const topic of ['chargers/{chargerId}/status', presenceTopics.connected])
      expect(matching(analysisRules, concrete(topic))).toHaveLength(1);
    for (const topic of ingestTopics) expect(matching(analysisRules, concrete(topic))).toEqual([]);
  });
});

const hasJq = spawnSync('jq', ['--version']).status === 0;

describe('the Firehose prefix query', () => {
  (hasJq ? it : it.skip)('gives the S3 prefix archivePrefix() gives (jq, as Firehose runs it)', () => {
    for (const template of [...Object.values(deviceToCloudTopics), ...Object.values(presenceTopics)]) {
      const record = { topic: concrete(template), receivedAt: 1_796_551_200_123 + 3_000_000 };
      const keys = JSON.parse(
        execFileSync('jq', ['-c', archiveLayout.metadataExtractionQuery], {
          input: JSON.stringify(record),
        }).toString(),
      ) as { kind: string; day: string; hour: string };
      expect(`archive/kind=${keys.kind}/day=${keys.day}/hour=${keys.hour}/`).toBe(archivePrefix(record));
    }
  });

  it('is the prefix serverless.yml gives Firehose', () => {
    expect(definition).toContain(
      'Prefix: archive/kind=!{partitionKeyFromQuery:kind}/day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/',
    );
    expect(definition).toContain(
      `ParameterValue: \${file(./src/analytics/archive-layout.json):metadataExtractionQuery}`,
    );
  });
});

describe('the Glue table and the local view', () => {
  it('read the same columns, in JSON spelling locally', () => {
    const local = Object.keys(duckdbColumns());
    expect(local.map((name) => name.toLowerCase())).toEqual(
      archiveLayout.columns.map((column) => column.Name),
    );
    expect(local).toContain('chargerId');
    expect(duckdbColumns().meterValue).toBe(
      'STRUCT("timestamp" VARCHAR, "sampledValue" STRUCT("value" VARCHAR, "context" VARCHAR, "format" VARCHAR, "measurand" VARCHAR, "phase" VARCHAR, "location" VARCHAR, "unit" VARCHAR)[])[]',
    );
  });
});

describe('the named queries', () => {
  it.each(namedQueries.map((query) => query.name))(
    '%s is an Athena named query with its Athena text',
    (name) => {
      const own = queryText(name, 'athena') !== queryText(name, 'duckdb');
      const file = own ? `${name}.athena.sql` : `${name}.sql`;
      expect(definition).toContain(`Name: ${name}\n`);
      expect(definition).toContain(`QueryString: \${file(./src/analytics/queries/${file})}`);
    },
  );
});

describe('events/analyse.json', () => {
  it('is a tumbling-window event whose record is an analysis rule event', () => {
    const sample = JSON.parse(readFileSync(new URL('../../events/analyse.json', import.meta.url), 'utf8'));
    expect(sample).toMatchObject({ window: { start: expect.any(String) }, isFinalInvokeForWindow: false });
    const event = JSON.parse(Buffer.from(sample.Records[0].kinesis.data, 'base64').toString('utf8'));
    expect(observationsOf(event)).toEqual([
      expect.objectContaining({ type: 'meter', chargerId: 'CP-1', registerWh: 12_000, powerW: 0 }),
    ]);
    expect(sample.Records[0].kinesis.partitionKey).toBe(event.chargerId);
  });
});
