import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meterEventSchema, parseChargerTopic, ruleSql, sessionIdPathSchema } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';

// The sample events are what `sls invoke local` and the README use: they must stay valid contract input.

const eventsDir = join(import.meta.dirname, '../../events');
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(eventsDir, `${name}.json`), 'utf8'));
const serverlessYml = readFileSync(join(import.meta.dirname, '../../serverless.yml'), 'utf8');

describe('sample events', () => {
  it.each(['meter-periodic', 'meter-trigger'])('%s is a valid meter rule event', (name) => {
    const event = meterEventSchema.parse(load(name));
    expect(event.clientId).toBe(event.chargerId);
  });

  it.each([
    ['list-my-sessions', 'GET /me/sessions'],
    ['get-session', 'GET /sessions/{sessionId}'],
    ['create-meter-request', 'POST /sessions/{sessionId}/meter-requests'],
  ])('%s is an HTTP API event for %s with a JWT subject', (name, routeKey) => {
    const event = load(name) as {
      routeKey: string;
      pathParameters?: unknown;
      requestContext: { authorizer: { jwt: { claims: { sub?: string } } } };
    };
    expect(event.routeKey).toBe(routeKey);
    expect(event.requestContext.authorizer.jwt.claims.sub).toBe('alice');
    if (routeKey.includes('{sessionId}'))
      expect(() => sessionIdPathSchema.parse(event.pathParameters)).not.toThrow();
  });
});

describe('serverless.yml', () => {
  it('subscribes the ingest function with the contract rule SQL', () => {
    expect(serverlessYml).toContain(ruleSql('chargers/+/meter'));
  });

  it('allows iot:Publish on the meter request topic only', () => {
    const publishResources = serverlessYml.match(/topic\/chargers\/[^\s]+/g) ?? [];
    expect(publishResources).toEqual(['topic/chargers/*/meter/request']);
    expect(parseChargerTopic('chargers/CP-1/meter/request')?.kind).toBe('meterRequest');
  });
});
