import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  allDeadlinePartitions,
  DEADLINE_SHARDS_OF,
  DEADLINES_INDEX,
  deadlinePartitionFor,
  type EntityDefinition,
  type EntityType,
  entities,
  entityOf,
  entitySchemas,
  GSI1,
  itemOf,
  keys,
  STREAM_SILENT,
  tableDefinition,
} from '../../src/index.js';
import { sampleOf } from '../helpers/factories.js';

// Each entity is defined once (packages/dynamo/src/entities.ts). These tests hold the rest of the repository,
// the table definition and the README to those definitions.

const root = join(import.meta.dirname, '../../../..');
const definitionsFile = 'packages/dynamo/src/entities.ts';
const names = Object.keys(entities) as (keyof typeof entities)[];

/** Any definition, its sample, and its item built with the deadline armed when it has one. */
const storedItem = itemOf as (
  definition: EntityDefinition,
  value: object,
  deadline?: { dueAt: number },
) => Record<string, unknown>;
const cases = names.map((name) => {
  const definition: EntityDefinition = entities[name];
  const sample: Record<string, unknown> = sampleOf(name);
  const schema = entitySchemas[name];
  return { name, definition, schema, sample, item: storedItem(definition, sample, { dueAt: 1_000 }) };
});

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

const workspaceDirs = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group)).map((entry) => join(root, group, entry)),
);

/** entityType: 'X', ':entityType': 'X', item.entityType === 'X' */
const writtenEntityTypes = (text: string) =>
  [...text.matchAll(/entityType['"]?\s*(?::|===?|!==?)\s*['"](\w+)['"]/g)].map((match) => match[1] as string);
/** A stream filter on `NewImage.entityType.S: [X, Y]` in a serverless.yml. */
const filteredEntityTypes = (text: string) =>
  [...text.matchAll(/entityType:\s*\n\s*S:\s*\[([^\]]*)\]/g)].flatMap((match) =>
    (match[1] as string).split(',').map((entityType) => entityType.trim()),
  );

/** Every literal entityType written or compared in source that runs, and in the stream filters, by where. */
function entityTypesInRepository(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (entityType: string, where: string) =>
    found.set(entityType, [...(found.get(entityType) ?? []), where]);
  const sources = [...workspaceDirs, join(root, 'bench')].flatMap((dir) => sourceFiles(join(dir, 'src')));
  for (const file of sources) {
    const path = relative(root, file);
    if (path === definitionsFile) continue;
    for (const entityType of writtenEntityTypes(readFileSync(file, 'utf8'))) note(entityType, path);
  }
  for (const dir of workspaceDirs) {
    const serverless = join(dir, 'serverless.yml');
    if (!existsSync(serverless)) continue;
    for (const entityType of filteredEntityTypes(readFileSync(serverless, 'utf8')))
      note(entityType, relative(root, serverless));
  }
  return found;
}

describe('entity definitions', () => {
  it('the scan sees each way an entityType is written, compared or filtered on', () => {
    const source =
      "put({ entityType: 'A' }); values({ ':entityType': 'B' }); if (item.entityType === 'C') {}";
    expect(writtenEntityTypes(source)).toEqual(['A', 'B', 'C']);
    expect(filteredEntityTypes('NewImage:\n  entityType:\n    S: [D, E]\n')).toEqual(['D', 'E']);
  });

  it('define every entityType the repository writes or reads', () => {
    const defined = new Set<string>(cases.map(({ definition }) => definition.entityType));
    const found = entityTypesInRepository();
    expect(found.size).toBeGreaterThan(0);
    const undefinedTypes = [...found].filter(([entityType]) => !defined.has(entityType));
    expect(undefinedTypes).toEqual([]);
  });

  it('have one tag each, and EntityType is exactly those tags', () => {
    const everyTag: Record<EntityType, true> = {
      Charger: true,
      ChargerBoot: true,
      ChargerStatus: true,
      Connector: true,
      ConnectorEvent: true,
      IdTag: true,
      Session: true,
      UserSession: true,
      MeterReading: true,
      MeterRequest: true,
      AuthAttempt: true,
      TransactionStart: true,
      Transaction: true,
      OrphanTransactionStop: true,
      Command: true,
      RemoteRequest: true,
      PendingRemoteStart: true,
      Counter: true,
      Idempotency: true,
      Alert: true,
      PresenceHistory: true,
      OperatorAudit: true,
      ChargerListing: true,
      SessionListing: true,
      Site: true,
      SiteLoad: true,
      ChargerEnergyHour: true,
      SiteEnergyHour: true,
    };
    const tags = cases.map(({ definition }) => definition.entityType);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags.sort()).toEqual(Object.keys(everyTag).sort());
  });

  it('derive `keys` with every key template the table had, each defined by one entity', () => {
    expect(Object.keys(keys).sort()).toEqual(
      [
        'alert',
        'alertPrefix',
        'authAttempt',
        'chargerListing',
        'chargerListingShard',
        'charger',
        'chargerEnergyHour',
        'chargerEnergyPartition',
        'site',
        'siteAlert',
        'siteEnergyHour',
        'siteEnergyPartition',
        'siteLoad',
        'chargerBoot',
        'chargerStatus',
        'command',
        'connector',
        'connectorHistory',
        'connectorHistoryPartition',
        'connectorPrefix',
        'connectorReadingsPartition',
        'counter',
        'idTag',
        'idTagList',
        'idempotency',
        'meterReading',
        'meterRequest',
        'operatorAudit',
        'operatorAuditDay',
        'orphanTransactionStop',
        'pendingRemoteStart',
        'presenceHistory',
        'remoteRequest',
        'session',
        'sessionListing',
        'sessionListingDay',
        'transaction',
        'transactionStart',
        'userSession',
        'userSessions',
        'userSessionsPartition',
      ].sort(),
    );
  });

  it.each(cases)(
    '$name: the sample is valid, and its item gives back exactly its attributes',
    ({ definition, schema, sample, item }) => {
      expect(schema.parse(sample)).toEqual(sample);
      expect(item.entityType).toBe(definition.entityType);
      expect(entityOf(item)).toEqual(sample);
    },
  );
});

describe('entity definitions and table-definition.json', () => {
  const tableKey = tableDefinition.KeySchema.map((key) => key.AttributeName);
  const indexKey = (indexName: string) =>
    tableDefinition.GlobalSecondaryIndexes.find((index) => index.IndexName === indexName)?.KeySchema.map(
      (key) => key.AttributeName,
    );
  const attributeType = (name: string) =>
    tableDefinition.AttributeDefinitions.find((attribute) => attribute.AttributeName === name)?.AttributeType;
  const dynamoType = (value: unknown) => (typeof value === 'number' ? 'N' : 'S');

  /** The attributes an item carries for each index, taken from the item the definition builds. */
  const indexAttributesOf: Record<string, (definition: EntityDefinition, sample: object) => object> = {
    [GSI1]: (definition, sample) => definition.indexes[GSI1]?.(sample, definition.keys) ?? {},
    [DEADLINES_INDEX]: (definition, sample) => {
      const armed = storedItem(definition, sample, { dueAt: 1_000 });
      const unarmed = storedItem(definition, sample);
      return Object.fromEntries(Object.entries(armed).filter(([name]) => !(name in unarmed)));
    },
  };

  it.each(cases)(
    "$name: its primary key has the table's key attributes and types",
    ({ definition, sample }) => {
      const key = definition.primaryKey(sample, definition.keys);
      expect(Object.keys(key)).toEqual(tableKey);
      for (const [name, value] of Object.entries(key)) expect(dynamoType(value)).toBe(attributeType(name));
    },
  );

  it.each(cases)(
    '$name: each index it names exists, with the key attributes (and types) it writes',
    ({ definition, sample }) => {
      for (const indexName of Object.keys(definition.indexes)) {
        expect(indexKey(indexName)).toBeDefined();
        const attributes = indexAttributesOf[indexName]?.(definition, sample) ?? {};
        expect({ indexName, attributes: Object.keys(attributes) }).toEqual({
          indexName,
          attributes: indexKey(indexName),
        });
        for (const [name, value] of Object.entries(attributes))
          expect(dynamoType(value)).toBe(attributeType(name));
      }
    },
  );

  it('every index of the table is carried by some entity', () => {
    const named = new Set(cases.flatMap(({ definition }) => Object.keys(definition.indexes)));
    expect(
      tableDefinition.GlobalSecondaryIndexes.map((index) => index.IndexName).filter(
        (name) => !named.has(name),
      ),
    ).toEqual([]);
  });

  it('an item carries only the key and index attributes its entity names', () => {
    for (const { definition, sample, item } of cases) {
      const storage = Object.keys(item).filter((name) => !(name in sample) && name !== 'entityType');
      const expected = [
        tableKey,
        ...Object.keys(definition.indexes).map((name) => indexKey(name) ?? []),
        definition.streamSilent?.(sample) ? [STREAM_SILENT] : [],
      ].flat();
      expect({ entity: definition.entityType, storage: storage.sort() }).toEqual({
        entity: definition.entityType,
        storage: expected.sort(),
      });
    }
  });
});

describe('the stream-silent mark', () => {
  it('is on an accepted auth attempt and one without a user only, and is no attribute of the entity', () => {
    const attempt = { ...sampleOf('authAttempt'), userId: 'alice' };
    const accepted = itemOf(entities.authAttempt, { ...attempt, status: 'Accepted' });
    const refused = itemOf(entities.authAttempt, { ...attempt, status: 'Blocked' });
    const { userId: _userId, ...anonymous } = { ...attempt, status: 'Invalid' as const };
    expect(accepted[STREAM_SILENT]).toBe(true);
    expect(refused).not.toHaveProperty(STREAM_SILENT);
    expect(itemOf(entities.authAttempt, anonymous)[STREAM_SILENT]).toBe(true);
    expect(entityOf(accepted)).toEqual({ ...attempt, status: 'Accepted' });
    const silentEntities = names.filter((name) => entities[name].streamSilent !== undefined);
    expect(silentEntities).toEqual(['authAttempt']);
  });
});

describe('key templates produce the key shapes README.md documents', () => {
  const readme = readFileSync(join(root, 'packages/dynamo/README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('### Entities and key templates'),
    readme.indexOf('### Indexes'),
  );
  /** Rows of the key table: entity, pk, sk, `gsi1pk / gsi1sk` and `duePk / dueAt` cells. */
  const rows = section
    .split('\n')
    .filter((line) => /^\| [A-Z]/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter(([entity]) => entity !== 'entity');
  const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);

  /** A documented template as a pattern over the sample's values; `{connectorId}` is padded, `{shard}` a number. */
  function pattern(template: string, sample: Record<string, unknown>): RegExp {
    const values: Record<string, string> = {
      ...Object.fromEntries(Object.entries(sample).map(([name, value]) => [name, String(value)])),
      connectorId: String(sample.connectorId).padStart(3, '0'),
      // ConnectorEvent keys its `{kind}` by its `event`; an Alert by its own `kind`.
      kind: String(sample.event ?? sample.kind),
      // OperatorAudit partitions by the day of its `at`, SessionListing by its `startedAt`'s.
      day: String(sample.at ?? sample.startedAt).slice(0, 10),
    };
    const source = template
      .split(/(\{\w+\})/)
      .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        if (name === 'shard') return '\\d+';
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        if (values[name] === undefined)
          throw new Error(`README template ${template}: no value for {${name}}`);
        return (values[name] as string).replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      })
      .join('');
    return new RegExp(`^${source}$`);
  }

  it('has a row for every entity', () => {
    expect(rows.map(([entity]) => entity?.split(' ')[0]).sort()).toEqual(
      cases.map(({ definition }) => definition.entityType).sort(),
    );
  });

  it.each(cases)('$name: key, gsi1 entry and deadline as documented', ({ definition, sample, item }) => {
    const row = rows.find(([entity]) => entity?.split(' ')[0] === definition.entityType);
    expect(row).toBeDefined();
    const [, pk = '', sk = '', gsi1 = '', due = ''] = row as string[];
    const [pkTemplate] = codeSpans(pk);
    const [skTemplate] = codeSpans(sk);
    expect(item.pk).toMatch(pattern(pkTemplate as string, sample));
    expect(item.sk).toMatch(pattern(skTemplate as string, sample));
    const [gsi1pk, gsi1sk] = codeSpans(gsi1);
    if (gsi1pk === undefined) expect(item).not.toHaveProperty('gsi1pk');
    else {
      expect(item.gsi1pk).toMatch(pattern(gsi1pk, sample));
      expect(item.gsi1sk).toMatch(pattern(gsi1sk as string, sample));
    }
    const [duePk] = codeSpans(due);
    if (duePk === undefined || !duePk.startsWith('DUE#')) expect(item).not.toHaveProperty('duePk');
    else expect(item.duePk).toMatch(pattern(duePk, sample));
  });

  it('spot checks: padding, sharding, and a gsi1 entry only where it applies', () => {
    expect(keys.connector('CP-1', 7)).toEqual({ pk: 'CHARGER#CP-1', sk: 'CONNECTOR#007' });
    expect(keys.connectorReadingsPartition('CP-1', 12)).toBe('READINGS#CP-1#012');
    expect(keys.idTagList('TAG-1')).toEqual({ gsi1pk: 'IDTAGS', gsi1sk: 'TAG-1' });
    expect(keys.idempotency('notification', 'k')).toEqual({
      pk: 'IDEMPOTENCY#notification#k',
      sk: 'IDEMPOTENCY',
    });

    const session = sampleOf('session');
    expect(itemOf(entities.session, session, { dueAt: 42 })).toMatchObject({
      duePk: deadlinePartitionFor('session-expiry', session.sessionId),
      dueAt: 42,
    });
    expect(itemOf(entities.session, session)).not.toHaveProperty('duePk');

    const request = sampleOf('meterRequest');
    expect(itemOf(entities.meterRequest, request, { dueAt: 7 }).duePk).toBe(
      deadlinePartitionFor('meter-request', request.requestId),
    );

    // Nothing a hot path rewrites carries an index key: a reading and a session's totals stay one write unit.
    expect(itemOf(entities.meterReading, sampleOf('meterReading'))).not.toHaveProperty('gsi1pk');
    expect(itemOf(entities.session, session)).not.toHaveProperty('gsi1pk');
    expect(itemOf(entities.userSession, sampleOf('userSession'))).toMatchObject({
      gsi1pk: 'USER#alice',
      gsi1sk: `SESSION#${session.startedAt}#${session.sessionId}`,
    });

    // @ts-expect-error a connector has no deadline to arm
    itemOf(entities.connector, sampleOf('connector'), { dueAt: 1 });
  });
});

describe('deadline shards', () => {
  it('arms every deadline in a shard its sweeper queries, and spreads ids over all of them', () => {
    const ids = Array.from({ length: 400 }, (_, index) => `id-${index}-${index * 7919}`);
    for (const kind of ['charger-offline', 'session-expiry', 'meter-request', 'remote-request'] as const) {
      const swept = allDeadlinePartitions(kind);
      expect(swept).toHaveLength(DEADLINE_SHARDS_OF[kind]);
      const armed = new Set(ids.map((id) => deadlinePartitionFor(kind, id)));
      expect([...armed].filter((partition) => !swept.includes(partition))).toEqual([]);
      expect([...armed].sort()).toEqual([...swept].sort());
    }
    expect(DEADLINE_SHARDS_OF['charger-offline']).toBe(16);
    expect(allDeadlinePartitions('meter-request')).toEqual(['DUE#meter-request#0', 'DUE#meter-request#1']);
  });
});
