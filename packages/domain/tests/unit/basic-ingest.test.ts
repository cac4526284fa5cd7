import { describe, expect, it } from '@jest/globals';
import {
  basicIngestRuleName,
  basicIngestTopic,
  chargerTopicPermissions,
  deviceTopic,
  parseBasicIngestTopic,
} from '../../src/index.js';

describe('Basic Ingest topics', () => {
  it('names the rule that reads each kind in a stage, as the services name their rules', () => {
    expect(basicIngestRuleName('heartbeat', 'prod')).toBe('heartbeat_prod_heartbeat');
    expect(basicIngestRuleName('meter', 'eu-west')).toBe('metering_eu_west_meter');
  });

  it('prefixes the contract topic with $aws/rules/<rule>', () => {
    expect(basicIngestTopic('heartbeat', 'CP-1', 'prod')).toBe(
      '$aws/rules/heartbeat_prod_heartbeat/chargers/CP-1/heartbeat',
    );
    expect(basicIngestTopic('meter', 'CP-1', 'local')).toBe(
      '$aws/rules/metering_local_meter/chargers/CP-1/meter',
    );
  });

  it('routes only heartbeats and readings through Basic Ingest, and only when the device has a stage', () => {
    expect(deviceTopic('heartbeat', 'CP-1')).toBe('chargers/CP-1/heartbeat');
    expect(deviceTopic('heartbeat', 'CP-1', { basicIngestStage: 'prod' })).toBe(
      '$aws/rules/heartbeat_prod_heartbeat/chargers/CP-1/heartbeat',
    );
    expect(deviceTopic('authRequest', 'CP-1', { basicIngestStage: 'prod' })).toBe(
      'chargers/CP-1/auth/request',
    );
    expect(deviceTopic('status', 'CP-1', { basicIngestStage: 'prod' })).toBe('chargers/CP-1/status');
  });

  it('refuses a charger id that is not one', () => {
    expect(() => deviceTopic('heartbeat', 'CP/#', { basicIngestStage: 'prod' })).toThrow();
  });

  it('parses the rule and the topic the rule sees (without the prefix)', () => {
    expect(parseBasicIngestTopic('$aws/rules/heartbeat_prod_heartbeat/chargers/CP-1/heartbeat')).toEqual({
      ruleName: 'heartbeat_prod_heartbeat',
      topic: 'chargers/CP-1/heartbeat',
    });
    expect(parseBasicIngestTopic('chargers/CP-1/heartbeat')).toBeUndefined();
    expect(parseBasicIngestTopic('$aws/rules/heartbeat_prod_heartbeat')).toBeUndefined();
    expect(parseBasicIngestTopic('$aws/rules/bad-name/chargers/CP-1/heartbeat')).toBeUndefined();
  });

  it("grants a charger its own Basic Ingest topics in the stage, and no other charger's or stage's", () => {
    const { publish } = chargerTopicPermissions('CP-1', { basicIngestStage: 'prod' });
    expect(publish).toEqual(
      expect.arrayContaining([
        'chargers/CP-1/heartbeat',
        '$aws/rules/heartbeat_prod_heartbeat/chargers/CP-1/heartbeat',
        '$aws/rules/metering_prod_meter/chargers/CP-1/meter',
      ]),
    );
    expect(publish).not.toContain('$aws/rules/heartbeat_prod_heartbeat/chargers/CP-2/heartbeat');
    expect(publish).not.toContain('$aws/rules/heartbeat_dev_heartbeat/chargers/CP-1/heartbeat');
    expect(chargerTopicPermissions('CP-1').publish.some((topic) => topic.startsWith('$aws/'))).toBe(false);
  });
});
