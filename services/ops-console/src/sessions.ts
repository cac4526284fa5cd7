import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type MeterReading, NotFoundError, type Session } from '@evcharge/domain';
import { batchGetConsistent, GSI1, keyOf, keys, type TableContext } from '@evcharge/dynamo';
import { allItems } from './pages.js';
import {
  type EnergyHours,
  energyPerHour,
  type ReadingPoint,
  readingPointsOf,
  type SessionRow,
  sessionListOf,
  sessionRowOf,
} from './rules.js';

// Sessions for the operator: reads only. A session's readings are its connector's over its time (the readings
// partition), so the console adds no index entry per reading.

export const SESSION_LIST_LIMIT = 200;

/** How far back the console lists sessions (the day lists it reads; a session lasting longer drops off). */
export const SESSION_LIST_DAYS = 7;

/**
 * The sessions opened in the last days, from the day lists in gsi1 (one SessionListing per session, written
 * once when it opens), then the sessions themselves: no scan, so reads grow with sessions, not readings.
 */
async function recentSessions(table: TableContext, now: Date): Promise<Session[]> {
  const days = Array.from({ length: SESSION_LIST_DAYS }, (_, back) =>
    new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10),
  );
  const listed = await Promise.all(
    days.map((day) =>
      allItems<{ sessionId: string }>(table, {
        query: true,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :day',
        ExpressionAttributeValues: { ':day': keys.sessionListingDay(day) },
        ProjectionExpression: 'sessionId',
      }),
    ),
  );
  const sessionKeys = listed.flat().map((item) => keys.session(item.sessionId));
  const found = await batchGetConsistent(table, sessionKeys, { consistent: false });
  return sessionKeys.flatMap((key) => {
    const item = found.get(keyOf(key));
    return item ? [item as Session] : [];
  });
}

export async function listSessions(table: TableContext, now: Date): Promise<SessionRow[]> {
  return sessionListOf(await recentSessions(table, now), now, SESSION_LIST_LIMIT);
}

export interface SessionDetail {
  session: SessionRow;
  readings: ReadingPoint[];
}

export async function getSessionDetail(
  table: TableContext,
  sessionId: string,
  now: Date,
): Promise<SessionDetail> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.session(sessionId) }),
  );
  if (!Item) throw new NotFoundError(`session ${sessionId}`);
  const session = Item as Session;
  // The connector's readings over the session's time: a reading is in no index (one write unit each).
  const partition = keys.meterReading(session.chargerId, session.connectorId, '', '').pk;
  const until = session.endedAt ?? now.toISOString();
  const readings = await allItems<MeterReading>(table, {
    query: true,
    KeyConditionExpression: 'pk = :readings AND sk BETWEEN :from AND :until',
    ExpressionAttributeValues: { ':readings': partition, ':from': session.startedAt, ':until': `${until}~` },
  });
  return { session: sessionRowOf(session, now), readings: readingPointsOf(readings) };
}

/** Hourly energy of the last day, for the fleet and per site (the charger's gateway). */
export async function readEnergy(table: TableContext, now: Date): Promise<EnergyHours> {
  const sessions = await recentSessions(table, now);
  const chargerIds = [...new Set(sessions.map((session) => session.chargerId))];
  const sites = new Map<string, string>();
  await Promise.all(
    chargerIds.map(async (chargerId) => {
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: keys.charger(chargerId),
          ProjectionExpression: 'gatewayId',
        }),
      );
      sites.set(chargerId, typeof Item?.gatewayId === 'string' ? Item.gatewayId : 'unassigned');
    }),
  );
  return energyPerHour(sessions, (chargerId) => sites.get(chargerId) ?? 'unassigned', now);
}

/**
 * A charger's hourly energy as the telemetry service keeps it (ChargerEnergyHour: `ENERGY#{chargerId}`, sorted by
 * hour), `fromHour` to `toHour` inclusive: one Query, oldest first; hours with no readings are absent.
 */
export async function readChargerEnergy(
  table: TableContext,
  chargerId: string,
  fromHour: string,
  toHour: string,
): Promise<{ hour: string; energyWh: number }[]> {
  const hours = await allItems<{ sk: string; energyWh: number }>(table, {
    query: true,
    KeyConditionExpression: 'pk = :energy AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':energy': keys.chargerEnergyPartition(chargerId),
      ':from': fromHour,
      ':to': toHour,
    },
    ProjectionExpression: 'sk, energyWh',
  });
  return hours.map((hour) => ({ hour: hour.sk, energyWh: hour.energyWh }));
}
