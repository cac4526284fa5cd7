import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authorizeEventSchema,
  authRequestEventSchema,
  chargerTopic,
  ruleSql,
  transactionStartEventSchema,
  transactionStopEventSchema,
} from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';

const serviceDir = join(import.meta.dirname, '../..');
const serverlessYml = readFileSync(join(serviceDir, 'serverless.yml'), 'utf8');
const sampleEvent = (name: string): unknown =>
  JSON.parse(readFileSync(join(serviceDir, 'events', `${name}.json`), 'utf8'));

describe('serverless.yml', () => {
  it('subscribes the authorize rule with exactly the SQL the domain defines', () => {
    expect(serverlessYml).toContain(`sql: "${ruleSql('chargers/+/auth/request')}"`);
    expect(serverlessYml).toContain(`sqlVersion: "2016-03-23"`);
  });

  it.each(['chargers/+/authorize', 'chargers/+/transaction/start', 'chargers/+/transaction/stop'] as const)(
    'subscribes the %s rule with exactly the SQL the domain defines',
    (topic) => {
      expect(serverlessYml).toContain(`sql: "${ruleSql(topic)}"`);
    },
  );

  it('gives every iot rule an errorAction extension on its generated logical id', () => {
    for (const logicalId of [
      'AuthorizeIotTopicRule1',
      'AuthorizeDashidDashtagIotTopicRule1',
      'TransactionDashstartIotTopicRule1',
      'TransactionDashstopIotTopicRule1',
    ]) {
      expect(serverlessYml).toContain(`    ${logicalId}:\n`);
    }
  });

  it('lets its functions publish only on the answer topics they own', () => {
    const publishResources = [...serverlessYml.matchAll(/topic\/(\S+)/g)].map((match) => match[1]);
    expect(publishResources).toEqual([
      'chargers/*/auth/response',
      'chargers/*/authorize/response',
      'chargers/*/transaction/start/response',
      'chargers/*/transaction/stop/response',
    ]);
    expect(chargerTopic('authResponse', 'CP-1')).toBe('chargers/CP-1/auth/response');
    expect(chargerTopic('authorizeResponse', 'CP-1')).toBe('chargers/CP-1/authorize/response');
    expect(chargerTopic('transactionStartResponse', 'CP-1')).toBe('chargers/CP-1/transaction/start/response');
    expect(chargerTopic('transactionStopResponse', 'CP-1')).toBe('chargers/CP-1/transaction/stop/response');
  });

  it('gives IoT rules names of [a-zA-Z0-9_] only', () => {
    const ruleNames = [...serverlessYml.matchAll(/^\s+name: (\S+)$/gm)].map((match) => match[1] ?? '');
    expect(ruleNames.length).toBeGreaterThan(0);
    const stagePlaceholder = ['$', '{sls:stage}'].join('');
    for (const name of ruleNames) expect(name.replace(stagePlaceholder, 'local')).toMatch(/^[a-zA-Z0-9_]+$/);
  });
});

describe('events/*.json samples for sls invoke local', () => {
  it('authorize-id-tag is a valid rule event', () => {
    expect(authorizeEventSchema.safeParse(sampleEvent('authorize-id-tag')).success).toBe(true);
  });

  it('transaction-start and transaction-stop are valid rule events', () => {
    expect(transactionStartEventSchema.safeParse(sampleEvent('transaction-start')).success).toBe(true);
    expect(transactionStopEventSchema.safeParse(sampleEvent('transaction-stop')).success).toBe(true);
  });

  it.each(['auth-request-accepted', 'auth-request-unknown-tag', 'auth-request-spoof'])(
    '%s is a valid rule event',
    (name) => {
      expect(authRequestEventSchema.safeParse(sampleEvent(name)).success).toBe(true);
    },
  );

  it('the spoof sample names another client than the topic charger', () => {
    const spoof = authRequestEventSchema.parse(sampleEvent('auth-request-spoof'));
    expect(spoof.clientId).not.toBe(spoof.chargerId);
  });
});
