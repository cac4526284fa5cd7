import { readFileSync } from 'node:fs';
import { archivedRuleSql, heartbeatEventSchema, presenceEventSchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';

// The sample events (sls invoke local, tests) follow the contract, and the rules select what the handlers parse.

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const sample = (name: string): unknown => JSON.parse(read(`events/${name}.json`));

describe('sample events', () => {
  it('heartbeat.json is a heartbeat rule event', () => {
    expect(heartbeatEventSchema.safeParse(sample('heartbeat')).success).toBe(true);
  });

  it.each([
    ['connected', 'connected'],
    ['disconnected', 'disconnected'],
  ])('%s.json is an IoT Core %s lifecycle event', (name, eventType) => {
    const parsed = presenceEventSchema.parse(sample(name));
    expect(parsed.eventType).toBe(eventType);
  });
});

describe('serverless.yml', () => {
  const definition = read('serverless.yml');

  it('selects heartbeats with the envelope of a rule that also archives (Basic Ingest reaches it only)', () => {
    expect(definition).toContain(`sql: "${archivedRuleSql('chargers/+/heartbeat')}"`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Serverless variable, as the YAML spells it
    expect(definition).toContain('- ${file(../../serverless.common.yml):ingestArchiveAction}');
  });

  it('selects both lifecycle events unchanged', () => {
    expect(definition).toContain(`sql: "SELECT * FROM '$aws/events/presence/+/+'"`);
  });

  it('runs the sweeper every minute', () => {
    expect(definition).toMatch(/schedule:\s+rate: rate\(1 minute\)/);
  });
});
