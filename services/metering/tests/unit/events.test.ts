import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  archivedRuleSql,
  meterEventSchema,
  meterTopicEventSchema,
  parseChargerTopic,
  remoteResponseEventSchema,
  remoteStartRequestSchema,
  ruleSql,
  sessionIdPathSchema,
} from '@evcharge/domain';
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
    ['meter-values-transaction', 1],
    ['meter-values-main-meter', 0],
  ])('%s is a valid v2 (OCPP MeterValues) meter rule event on connector %i', (name, connectorId) => {
    const event = meterTopicEventSchema.parse(load(name));
    expect(event).toMatchObject({ connectorId, clientId: event.chargerId });
    expect('meterValue' in event).toBe(true);
  });

  it('remote-response is a valid remote/response rule event', () => {
    const event = remoteResponseEventSchema.parse(load('remote-response'));
    expect(event.clientId).toBe(event.chargerId);
  });

  it('create-remote-start carries a valid remote start body', () => {
    expect(() =>
      remoteStartRequestSchema.parse(JSON.parse(String(load('create-remote-start').body))),
    ).not.toThrow();
  });

  it.each([
    ['list-my-sessions', 'GET /me/sessions'],
    ['get-session', 'GET /sessions/{sessionId}'],
    ['create-meter-request', 'POST /sessions/{sessionId}/meter-requests'],
    ['create-remote-start', 'POST /me/sessions'],
    ['create-remote-stop', 'POST /sessions/{sessionId}/stop'],
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
  it('subscribes the ingest and remote response functions with the contract rule SQL', () => {
    // The meter rule is the one Basic Ingest reaches: it also archives, so its envelope has the topic.
    expect(serverlessYml).toContain(archivedRuleSql('chargers/+/meter'));
    expect(serverlessYml).toContain(ruleSql('chargers/+/remote/response'));
  });

  it('allows iot:Publish on the meter request and remote start/stop topics only', () => {
    // The user's and the operator's remote stop both publish remote/stop.
    const publishResources = [...new Set(serverlessYml.match(/topic\/chargers\/[^\s]+/g) ?? [])];
    expect(publishResources).toEqual([
      'topic/chargers/*/meter/request',
      'topic/chargers/*/remote/start',
      'topic/chargers/*/remote/stop',
    ]);
    expect(parseChargerTopic('chargers/CP-1/meter/request')?.kind).toBe('meterRequest');
    expect(parseChargerTopic('chargers/CP-1/remote/start')?.kind).toBe('remoteStart');
    expect(parseChargerTopic('chargers/CP-1/remote/stop')?.kind).toBe('remoteStop');
  });
});
