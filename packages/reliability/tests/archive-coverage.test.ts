import {
  type BasicIngestKind,
  basicIngestRuleName,
  basicIngestRules,
  cloudToDeviceTopics,
  deviceToCloudTopics,
  presenceTopics,
} from '@evcharge/domain';
import {
  evaluateStatement,
  type IotRuleConfig,
  loadCloudConfig,
  parseSql,
  topicMatches,
} from '@evcharge/local-cloud';
import { beforeAll, describe, expect, it } from '@jest/globals';

// Every device → cloud message is archived exactly once, whichever way it comes: through the message broker,
// or through IoT Basic Ingest to the one rule that reads it (which then carries the archive action). Checked on
// the rules of every service as the local cloud reads them from their serverless.yml files.

const stage = 'local';
const archiveStream = `ev-charging-${stage}-telemetry-archive`;
const analysisStream = `ev-charging-${stage}-telemetry-analysis`;
const chargerId = 'CP-ARCHIVE-1';
let rules: IotRuleConfig[];

beforeAll(async () => {
  const config = await loadCloudConfig({
    stage,
    awsEndpoint: 'http://127.0.0.1:9',
    tableName: 'archive-coverage',
  });
  rules = config.topicRules;
}, 180_000);

const concrete = (template: string) =>
  template.replace('{chargerId}', chargerId).replace('{clientId}', chargerId);
/** The rules a message on `topic` triggers (FROM and WHERE), as the rules engine evaluates them. */
const triggered = (topic: string) =>
  rules.filter(
    (rule) =>
      topicMatches(parseSql(rule.sql).topicFilter, topic) &&
      evaluateStatement(
        parseSql(rule.sql),
        { at: 'x' },
        { topic, clientId: chargerId, principal: 'p', receivedAt: 1 },
      ) !== undefined,
  );
const archives = (rule: IotRuleConfig) =>
  rule.actions.some((action) => action.type === 'Firehose' && action.deliveryStreamName === archiveStream);

describe('the telemetry archive', () => {
  it.each([...Object.values(deviceToCloudTopics), ...Object.values(presenceTopics)].map(concrete))(
    'gets %s exactly once through the broker, with its topic',
    (topic) => {
      const archiving = triggered(topic).filter(archives);
      expect(archiving.map((rule) => rule.name)).toHaveLength(1);
      const [rule] = archiving;
      const output = evaluateStatement(
        parseSql(rule?.sql ?? ''),
        { at: 'x' },
        {
          topic,
          clientId: chargerId,
          principal: 'p',
          receivedAt: 1,
        },
      );
      expect(output).toMatchObject({ chargerId, topic, receivedAt: 1 });
    },
  );

  it.each(Object.values(cloudToDeviceTopics).map(concrete))('never gets %s (cloud → device)', (topic) => {
    expect(triggered(topic).filter(archives)).toEqual([]);
  });

  it.each(Object.keys(basicIngestRules) as BasicIngestKind[])(
    'gets a Basic Ingest %s from the one rule it reaches, which archives it (and streams readings to the detectors)',
    (kind) => {
      const rule = rules.find((candidate) => candidate.name === basicIngestRuleName(kind, stage));
      expect(rule).toBeDefined();
      expect(rule?.actions.map((action) => action.type)).toContain('Lambda');
      expect(rule && archives(rule)).toBe(true);
      expect(triggered(concrete(deviceToCloudTopics[kind]))).toContain(rule);
      const streams = rule?.actions.filter((action) => action.type === 'Kinesis');
      expect(streams?.map((action) => action.type === 'Kinesis' && action.streamName)).toEqual(
        kind === 'meter' ? [analysisStream] : [],
      );
    },
  );
});
