import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Connector, TransientError } from '@evcharge/domain';
import {
  type EntityOf,
  entities,
  entityOf,
  isConditionalCheckFailed,
  itemOf,
  keys,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import type { HourRanges } from './aggregates/hourly-energy.js';
import { energyWhOf, mergedRanges, sameRanges } from './aggregates/hourly-energy.js';
import { type Alert, type AlertChange, alertChange } from './alert-rules.js';
import {
  type Finding,
  type PowerEntry,
  type PresenceObservation,
  replacesEntry,
  type SiteConnectors,
  type StatusObservation,
} from './detectors/index.js';

// The telemetry service's own use of the table: Alert items (one per charger and kind), and the connector
// status the stall detector needs when its window has not seen one.

/** Attributes an Alert update sets or removes, besides its key. */
const optionalAttributes = ['connectorId', 'clearedAt'] as const;

/** Applies one finding to its alert: read it, decide (alertChange), write it back only if unchanged since the read. */
export async function applyFinding(table: TableContext, finding: Finding): Promise<AlertChange> {
  const key =
    finding.siteId === undefined
      ? keys.alert(finding.chargerId, finding.kind)
      : keys.siteAlert(finding.siteId, finding.kind);
  return transact<AlertChange>(table, `alert ${finding.kind} of ${key.pk}`, async () => {
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    const current = Item ? entityOf<Alert>(Item) : undefined;
    const change = alertChange(current, finding);
    if (change.type === 'none') return { done: change };
    const { pk: _pk, sk: _sk, ...attributes } = itemOf(entities.alert, change.alert);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(attributes).map(([name, value], index) => {
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
      return `#a${index} = :a${index}`;
    });
    const removes = optionalAttributes
      .filter((name) => !(name in attributes))
      .map((name) => {
        names[`#r_${name}`] = name;
        return `#r_${name}`;
      });
    // Written only over the alert as read: a concurrent writer makes this attempt re-read and decide again.
    const asRead: { condition: string; names: Record<string, string>; values: Record<string, unknown> } =
      current
        ? {
            condition: '#s = :readStatus AND #l = :readLastSeenAt AND #e = :readEpisodes',
            names: { '#s': 'status', '#l': 'lastSeenAt', '#e': 'episodes' },
            values: {
              ':readStatus': current.status,
              ':readLastSeenAt': current.lastSeenAt,
              ':readEpisodes': current.episodes,
            },
          }
        : { condition: 'attribute_not_exists(pk)', names: {}, values: {} };
    return {
      items: [
        {
          Update: {
            TableName: table.tableName,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: asRead.condition,
            ExpressionAttributeNames: { ...names, ...asRead.names },
            ExpressionAttributeValues: { ...values, ...asRead.values },
          },
        },
      ],
      result: change,
      conditionFailed: () => 'reread' as const,
    };
  });
}

/**
 * The connector's last status as the services stored it (v2 OCPP status verbatim, else the v1 state), as an
 * observation the stall detector can order against readings; undefined when the connector is unknown.
 */
export async function storedConnectorStatus(
  table: TableContext,
  chargerId: string,
  connectorId: number,
): Promise<StatusObservation | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.connector(chargerId, connectorId) }),
  );
  if (!Item) return undefined;
  const connector = entityOf<Connector>(Item);
  const at = Date.parse(connector.statusAt ?? connector.lastEventAt ?? '1970-01-01T00:00:00.000Z');
  return {
    type: 'status',
    key: `table#${chargerId}#${connectorId}`,
    chargerId,
    connectorId,
    at,
    status: connector.ocppStatus ?? connector.status,
  };
}

type PresenceHistory = EntityOf<typeof entities.presenceHistory>;

/** A charger's stored lifecycle events (the flapping period before the current window), as observations. */
export async function loadPresenceHistory(
  table: TableContext,
  chargerId: string,
): Promise<PresenceObservation[]> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.presenceHistory(chargerId) }),
  );
  if (!Item) return [];
  return entityOf<PresenceHistory>(Item).events.map((event) => ({ type: 'presence', chargerId, ...event }));
}

/**
 * Stores a charger's recent lifecycle events (one shard, so one writer per charger: a plain overwrite of the
 * union the window holds), expiring a day after the newest.
 */
export async function savePresenceHistory(
  table: TableContext,
  chargerId: string,
  events: PresenceObservation[],
  now: Date,
): Promise<void> {
  const newest = Math.max(...events.map((event) => event.at));
  const history = itemOf(entities.presenceHistory, {
    chargerId,
    events: events
      .slice(-200)
      .map(({ key, eventType, versionNumber, at }) => ({ key, eventType, versionNumber, at })),
    updatedAt: now.toISOString(),
  });
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.presenceHistory(chargerId),
      UpdateExpression:
        'SET entityType = :entityType, chargerId = :chargerId, events = :events, updatedAt = :updatedAt, expiresAtEpochS = :expires',
      ExpressionAttributeValues: {
        ':entityType': history.entityType,
        ':chargerId': history.chargerId,
        ':events': history.events,
        ':updatedAt': history.updatedAt,
        ':expires': Math.floor(newest / 1000) + 86_400,
      },
    }),
  );
}

// Sites: a charger's site (its ChargerListing, set by the operator CLI) and the site's grid limit.

/** The site a charger belongs to, if any (an eventually consistent read: it changes by operator command). */
export async function chargerSite(table: TableContext, chargerId: string): Promise<string | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.chargerListing(chargerId),
      ProjectionExpression: 'siteId',
    }),
  );
  return typeof Item?.siteId === 'string' ? Item.siteId : undefined;
}

/** A site's grid limit in W, if the operator set one. */
export async function siteGridLimitW(table: TableContext, siteId: string): Promise<number | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.site(siteId),
      ProjectionExpression: 'gridLimitW',
    }),
  );
  return typeof Item?.gridLimitW === 'number' ? Item.gridLimitW : undefined;
}

type SiteLoad = EntityOf<typeof entities.siteLoad>;

/**
 * Sets one entry of a map attribute only over an older one (`newer`, the same rule as `replaces`), so writers on
 * other shards, duplicates and late records never regress it; creates the item with `created` when it has no
 * map yet. Returns the item after the write, or as it stood when the entry was not newer.
 */
async function setMapEntry<Entry>(
  table: TableContext,
  key: { pk: string; sk: string },
  write: {
    map: string;
    entry: string;
    value: Entry;
    /** The condition on the stored entry `#m.#e` (the value is `:v`), with its own names and values. */
    newer: { condition: string; names?: Record<string, string>; values?: Record<string, unknown> };
    replaces: (stored: Entry | undefined) => boolean;
    created: object;
  },
): Promise<Record<string, unknown>> {
  const names = { '#m': write.map, '#e': write.entry, ...write.newer.names };
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const { Attributes } = await table.client.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: key,
          UpdateExpression: 'SET #m.#e = :v',
          ConditionExpression: `attribute_exists(#m) AND (attribute_not_exists(#m.#e) OR ${write.newer.condition})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':v': write.value, ...write.newer.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    const map = Item?.[write.map] as Record<string, Entry> | undefined;
    if (map) {
      if (!write.replaces(map[write.entry])) return Item as Record<string, unknown>;
      continue; // changed since the condition was checked: try again
    }
    try {
      await table.client.send(
        new PutCommand({
          TableName: table.tableName,
          Item: write.created,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return write.created as Record<string, unknown>;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Another shard created it first: set the entry on theirs.
    }
  }
  throw new TransientError(`${key.pk}/${key.sk}: ${write.map}.${write.entry} still racing after 3 attempts`);
}

/**
 * Records a connector's latest power in its site's SiteLoad item (only over an older entry: `replacesEntry`) and
 * returns every connector's entry as the item then holds them.
 */
export async function recordSitePower(
  table: TableContext,
  siteId: string,
  connectorKey: string,
  entry: PowerEntry,
): Promise<SiteConnectors> {
  const item = await setMapEntry(table, keys.siteLoad(siteId), {
    map: 'connectors',
    entry: connectorKey,
    value: entry,
    newer: { condition: '#m.#e.#at < :at', names: { '#at': 'at' }, values: { ':at': entry.at } },
    replaces: (stored) => replacesEntry(stored, entry),
    created: itemOf(entities.siteLoad, { siteId, connectors: { [connectorKey]: entry } }),
  });
  return (item.connectors ?? {}) as SiteConnectors;
}

/** A site's connectors' latest power, as the SiteLoad item holds them (empty when none was written). */
export async function readSiteLoad(table: TableContext, siteId: string): Promise<SiteConnectors> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.siteLoad(siteId), ConsistentRead: true }),
  );
  return Item ? entityOf<SiteLoad>(Item).connectors : {};
}

// Hourly energy (for the console): a charger's hour is written by its own shard only (the stream's partition
// key), so read–merge–put is safe; a site's hour has one entry per charger, each only ever raised.

type ChargerEnergyHour = EntityOf<typeof entities.chargerEnergyHour>;
type SiteEnergyHour = EntityOf<typeof entities.siteEnergyHour>;

/** Kept 400 days after the hour, like the operators' audit log. */
const energyExpiresAtEpochS = (hour: string) =>
  Math.floor(Date.parse(`${hour}:00:00.000Z`) / 1000) + 400 * 86_400;

/**
 * Merges register ranges seen into a charger's hour (min of mins, max of maxes: a replayed reading changes
 * nothing) and writes it if that changed anything. Returns the hour's energy, Wh.
 */
export async function saveChargerEnergyHour(
  table: TableContext,
  chargerId: string,
  hour: string,
  seen: HourRanges,
): Promise<number> {
  const key = keys.chargerEnergyHour(chargerId, hour);
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  const stored = Item ? entityOf<ChargerEnergyHour>(Item) : undefined;
  const registers = mergedRanges(stored?.registers, seen);
  if (stored && sameRanges(stored.registers, registers)) return stored.energyWh;
  const energyWh = energyWhOf(registers);
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...itemOf(entities.chargerEnergyHour, { chargerId, hour, registers, energyWh }),
        expiresAtEpochS: energyExpiresAtEpochS(hour),
      },
    }),
  );
  return energyWh;
}

/** Raises a charger's entry in its site's hour to `energyWh` (never lowers it: shards and replays cannot undo it). */
export async function raiseSiteEnergyHour(
  table: TableContext,
  siteId: string,
  hour: string,
  chargerId: string,
  energyWh: number,
): Promise<void> {
  await setMapEntry(table, keys.siteEnergyHour(siteId, hour), {
    map: 'chargers',
    entry: chargerId,
    value: energyWh,
    newer: { condition: '#m.#e < :v' },
    replaces: (stored) => stored === undefined || stored < energyWh,
    created: {
      ...itemOf(entities.siteEnergyHour, { siteId, hour, chargers: { [chargerId]: energyWh } }),
      expiresAtEpochS: energyExpiresAtEpochS(hour),
    },
  });
}

/** A charger's hours from `fromHour` to `toHour` (`yyyy-MM-ddTHH`, inclusive), oldest first. */
export async function listChargerEnergy(
  table: TableContext,
  chargerId: string,
  fromHour: string,
  toHour: string,
): Promise<{ hour: string; energyWh: number }[]> {
  const items = await queryHours(table, keys.chargerEnergyPartition(chargerId), fromHour, toHour);
  return items.map((item) => {
    const { hour, energyWh } = entityOf<ChargerEnergyHour>(item);
    return { hour, energyWh };
  });
}

/** A site's hours (its chargers' sum, and each charger's Wh), oldest first. */
export async function listSiteEnergy(
  table: TableContext,
  siteId: string,
  fromHour: string,
  toHour: string,
): Promise<{ hour: string; energyWh: number; chargers: Record<string, number> }[]> {
  const items = await queryHours(table, keys.siteEnergyPartition(siteId), fromHour, toHour);
  return items.map((item) => {
    const { hour, chargers } = entityOf<SiteEnergyHour>(item);
    return { hour, energyWh: Object.values(chargers).reduce((sum, wh) => sum + wh, 0), chargers };
  });
}

async function queryHours(
  table: TableContext,
  partition: string,
  fromHour: string,
  toHour: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': partition, ':from': fromHour, ':to': toHour },
        ExclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
