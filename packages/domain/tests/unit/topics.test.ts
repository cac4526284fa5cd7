import { describe, expect, it } from '@jest/globals';
import {
  type ChargerTopicKind,
  chargerTopic,
  chargerTopicPermissions,
  cloudToDeviceTopics,
  deviceToCloudTopics,
  parseChargerTopic,
  presenceTopics,
} from '../../src/index.js';

const expectedTopics: readonly [ChargerTopicKind, string][] = [
  ['authRequest', 'chargers/CP-1/auth/request'],
  ['heartbeat', 'chargers/CP-1/heartbeat'],
  ['meter', 'chargers/CP-1/meter'],
  ['plug', 'chargers/CP-1/plug'],
  ['authResponse', 'chargers/CP-1/auth/response'],
  ['meterRequest', 'chargers/CP-1/meter/request'],
];

describe('topic templates', () => {
  it('lists the v1 and v2 topics by direction', () => {
    expect(Object.values(deviceToCloudTopics).sort()).toEqual([
      'chargers/{chargerId}/auth/request',
      'chargers/{chargerId}/authorize',
      'chargers/{chargerId}/boot',
      'chargers/{chargerId}/command/response',
      'chargers/{chargerId}/diagnostics-status',
      'chargers/{chargerId}/firmware-status',
      'chargers/{chargerId}/heartbeat',
      'chargers/{chargerId}/meter',
      'chargers/{chargerId}/plug',
      'chargers/{chargerId}/remote/response',
      'chargers/{chargerId}/status',
      'chargers/{chargerId}/transaction/start',
      'chargers/{chargerId}/transaction/stop',
    ]);
    expect(Object.values(cloudToDeviceTopics).sort()).toEqual([
      'chargers/{chargerId}/auth/response',
      'chargers/{chargerId}/authorize/response',
      'chargers/{chargerId}/boot/response',
      'chargers/{chargerId}/command',
      'chargers/{chargerId}/meter/request',
      'chargers/{chargerId}/remote/start',
      'chargers/{chargerId}/remote/stop',
      'chargers/{chargerId}/transaction/start/response',
      'chargers/{chargerId}/transaction/stop/response',
    ]);
    expect(Object.values(presenceTopics).sort()).toEqual([
      '$aws/events/presence/connected/{clientId}',
      '$aws/events/presence/disconnected/{clientId}',
    ]);
  });

  it('gives every kind its own topic', () => {
    const all = [...Object.values(deviceToCloudTopics), ...Object.values(cloudToDeviceTopics)];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('chargerTopic / parseChargerTopic', () => {
  it.each(expectedTopics)('builds %s as %s', (kind, topic) => {
    expect(chargerTopic(kind, 'CP-1')).toBe(topic);
  });

  const chargerIds = ['CP-1', 'a', 'x'.repeat(64), 'Site_07-Bay-3'];
  const roundTrips = expectedTopics.flatMap(([kind]) =>
    chargerIds.map((chargerId) => [kind, chargerId] as const),
  );
  it.each(roundTrips)('round-trips %s for charger %s', (kind, chargerId) => {
    expect(parseChargerTopic(chargerTopic(kind, chargerId))).toEqual({ chargerId, kind });
  });

  it.each(['', 'x'.repeat(65), 'CP/1', '+', '#', 'CP 1', '{chargerId}'])(
    'refuses to build a topic for charger id %p',
    (chargerId) => {
      expect(() => chargerTopic('heartbeat', chargerId)).toThrow();
    },
  );

  it.each([
    '',
    'chargers',
    'chargers/CP-1',
    'chargers/CP-1/',
    'chargers/CP-1/statuses',
    'chargers/CP-1/auth',
    'chargers/CP-1/auth/request/extra',
    'chargers/CP-1/heartbeat/',
    'chargers/CP-1/meter/response',
    'Chargers/CP-1/heartbeat',
    '/chargers/CP-1/heartbeat',
    'charger/CP-1/heartbeat',
    'chargers//heartbeat',
    'chargers/+/heartbeat',
    'chargers/#',
    'chargers/CP-1/#',
    'chargers/CP+1/heartbeat',
    `chargers/${'x'.repeat(65)}/heartbeat`,
    'chargers/{chargerId}/heartbeat',
    '$aws/events/presence/connected/CP-1',
    '$aws/things/CP-1/shadow/update',
  ])('rejects the foreign topic %p', (topic) => {
    expect(parseChargerTopic(topic)).toBeUndefined();
  });
});

describe('chargerTopicPermissions', () => {
  const permissions = chargerTopicPermissions('CP-1');

  it('lets a charger publish exactly its own granted device → cloud topics', () => {
    expect([...permissions.publish].sort()).toEqual([
      'chargers/CP-1/auth/request',
      'chargers/CP-1/authorize',
      'chargers/CP-1/boot',
      'chargers/CP-1/command/response',
      'chargers/CP-1/diagnostics-status',
      'chargers/CP-1/firmware-status',
      'chargers/CP-1/heartbeat',
      'chargers/CP-1/meter',
      'chargers/CP-1/plug',
      'chargers/CP-1/remote/response',
      'chargers/CP-1/status',
      'chargers/CP-1/transaction/start',
      'chargers/CP-1/transaction/stop',
    ]);
  });

  it('lets a charger subscribe exactly to its own granted cloud → device topics', () => {
    expect([...permissions.subscribe].sort()).toEqual([
      'chargers/CP-1/auth/response',
      'chargers/CP-1/authorize/response',
      'chargers/CP-1/boot/response',
      'chargers/CP-1/command',
      'chargers/CP-1/meter/request',
      'chargers/CP-1/remote/start',
      'chargers/CP-1/remote/stop',
      'chargers/CP-1/transaction/start/response',
      'chargers/CP-1/transaction/stop/response',
    ]);
  });

  it('never grants a wildcard or another charger', () => {
    for (const topic of [...permissions.publish, ...permissions.subscribe]) {
      expect(topic).not.toMatch(/[+#]/);
      expect(parseChargerTopic(topic)?.chargerId).toBe('CP-1');
    }
    const other = chargerTopicPermissions('CP-10');
    expect(other.publish.filter((topic) => permissions.publish.includes(topic))).toEqual([]);
  });

  it('never lets a charger publish a command or subscribe to another charger’s uplink', () => {
    expect(permissions.publish.filter((topic) => permissions.subscribe.includes(topic))).toEqual([]);
    for (const topic of permissions.publish) {
      expect(Object.keys(deviceToCloudTopics)).toContain(parseChargerTopic(topic)?.kind);
    }
  });

  it('refuses an invalid charger id', () => {
    expect(() => chargerTopicPermissions('#')).toThrow();
  });
});
