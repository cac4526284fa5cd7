import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Connector } from '@evcharge/domain';
import {
  type EntityOf,
  entities,
  entityOf,
  itemOf,
  keys,
  type TableContext,
  transact,
} from '@evcharge/dynamo';
import { type Alert, type AlertChange, alertChange } from './alert-rules.js';
import type { Finding, PresenceObservation, StatusObservation } from './detectors/index.js';

// The telemetry service's own use of the table: Alert items (one per charger and kind), and the connector
// status the stall detector needs when its window has not seen one.

/** Attributes an Alert update sets or removes, besides its key. */
const optionalAttributes = ['connectorId', 'clearedAt'] as const;

/** Applies one finding to its alert: read it, decide (alertChange), write it back only if unchanged since the read. */
export async function applyFinding(table: TableContext, finding: Finding): Promise<AlertChange> {
  const key = keys.alert(finding.chargerId, finding.kind);
  return transact<AlertChange>(table, `alert ${finding.kind} of ${finding.chargerId}`, async () => {
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
