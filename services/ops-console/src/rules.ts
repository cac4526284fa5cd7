import type {
  Charger,
  ChargerBoot,
  ChargerStatusRecord,
  Connector,
  MeterReading,
  OrphanTransactionStop,
  Session,
} from '@evcharge/domain';
import { BadInputError } from '@evcharge/domain';
import type { EntityOf, entities } from '@evcharge/dynamo';

type Alert = EntityOf<typeof entities.alert> & { acknowledgedAt?: string; acknowledgedBy?: string };

// What the console shows, derived from table items without I/O (unit-tested): the fleet rows, the session
// summaries and the hourly energy. The store modules read the items; these functions shape them.

export interface ConnectorRow {
  connectorId: number;
  status: string;
  errorCode?: string;
  activeSessionId?: string;
  /** Device time of its last OCPP status. */
  statusAt?: string;
}

export interface ChargerRow {
  chargerId: string;
  status: 'online' | 'offline';
  lastSeenAt?: string;
  statusChangedAt?: string;
  registrationStatus: 'Accepted' | 'Pending';
  /** The site: the gateway the charger is assigned to (OCPP chargers), else none. */
  site?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  /** The charger's own (connector 0) OCPP status, with its error code when Faulted. */
  ocppStatus?: string;
  errorCode?: string;
  connectors: ConnectorRow[];
}

export interface AlertRow {
  chargerId: string;
  /** A detector's kind (telemetry), or what the fleet shows now: `fault`, `orphan-transaction`. */
  kind: string;
  /** `detector`: an Alert item (acknowledgeable); `fleet`: derived from the chargers' own state as read. */
  source: 'detector' | 'fleet';
  state: 'open' | 'cleared';
  firstSeenAt: string;
  lastSeenAt: string;
  clearedAt?: string;
  detail: string;
  episodes: number;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
}

export interface FleetView {
  at: string;
  chargers: ChargerRow[];
  alerts: AlertRow[];
}

type Item = Record<string, unknown>;

export function fleetViewOf(items: Item[], now: Date): FleetView {
  const rows = new Map<string, ChargerRow>();
  const boots = new Map<string, ChargerBoot>();
  const statuses = new Map<string, ChargerStatusRecord>();
  const siteIds = new Map<string, string>();
  const connectors = new Map<string, ConnectorRow[]>();
  const alerts: AlertRow[] = [];
  for (const item of items) {
    switch (item.entityType) {
      case 'Charger': {
        const charger = item as unknown as Charger & { gatewayId?: string };
        rows.set(charger.chargerId, {
          chargerId: charger.chargerId,
          status: charger.status === 'online' ? 'online' : 'offline',
          ...(charger.lastSeenAt ? { lastSeenAt: charger.lastSeenAt } : {}),
          ...(charger.statusChangedAt ? { statusChangedAt: charger.statusChangedAt } : {}),
          registrationStatus: charger.registrationStatus === 'Pending' ? 'Pending' : 'Accepted',
          ...(charger.gatewayId ? { site: charger.gatewayId } : {}),
          ...(charger.firmware ? { firmware: charger.firmware } : {}),
          connectors: [],
        });
        break;
      }
      case 'ChargerBoot':
        boots.set(String(item.chargerId), item as unknown as ChargerBoot);
        break;
      case 'ChargerStatus':
        statuses.set(String(item.chargerId), item as unknown as ChargerStatusRecord);
        break;
      // The site an operator set (npm run chargers -- set-site) names the charger's site over its gateway.
      case 'ChargerListing':
        if (typeof item.siteId === 'string') siteIds.set(String(item.chargerId), item.siteId);
        break;
      case 'Connector': {
        const connector = item as unknown as Connector;
        const list = connectors.get(connector.chargerId) ?? [];
        list.push({
          connectorId: connector.connectorId,
          status: connector.ocppStatus ?? connector.status,
          ...(connector.errorCode && connector.errorCode !== 'NoError'
            ? { errorCode: connector.errorCode }
            : {}),
          ...(connector.activeSessionId ? { activeSessionId: connector.activeSessionId } : {}),
          ...(connector.statusAt ? { statusAt: connector.statusAt } : {}),
        });
        connectors.set(connector.chargerId, list);
        break;
      }
      case 'Alert':
        alerts.push(alertRowOf(item as unknown as Alert));
        break;
      case 'OrphanTransactionStop':
        alerts.push(orphanRowOf(item as unknown as OrphanTransactionStop));
        break;
    }
  }
  for (const [chargerId, row] of rows) {
    const boot = boots.get(chargerId);
    if (boot?.chargePointVendor) row.vendor = boot.chargePointVendor;
    if (boot?.chargePointModel) row.model = boot.chargePointModel;
    if (boot?.firmwareVersion) row.firmware = boot.firmwareVersion;
    const siteId = siteIds.get(chargerId);
    if (siteId) row.site = siteId;
    const status = statuses.get(chargerId);
    if (status) {
      row.ocppStatus = status.ocppStatus;
      if (status.errorCode !== 'NoError') row.errorCode = status.errorCode;
    }
    row.connectors = (connectors.get(chargerId) ?? []).sort((a, b) => a.connectorId - b.connectorId);
    alerts.push(...faultRowsOf(row, status));
  }
  return {
    at: now.toISOString(),
    chargers: [...rows.values()].sort((a, b) => a.chargerId.localeCompare(b.chargerId)),
    alerts: alerts.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt)),
  };
}

/** A Faulted charger (connector 0) or connector, open while it stays Faulted. */
function faultRowsOf(row: ChargerRow, status: ChargerStatusRecord | undefined): AlertRow[] {
  const faults: AlertRow[] = [];
  if (status?.ocppStatus === 'Faulted') {
    faults.push({
      chargerId: row.chargerId,
      kind: 'fault',
      source: 'fleet',
      state: 'open',
      firstSeenAt: status.statusAt,
      lastSeenAt: status.statusAt,
      detail: `charger Faulted: ${status.errorCode}${status.info ? ` (${status.info})` : ''}`,
      episodes: 1,
    });
  }
  for (const connector of row.connectors) {
    if (connector.status !== 'Faulted') continue;
    faults.push({
      chargerId: row.chargerId,
      kind: 'fault',
      source: 'fleet',
      state: 'open',
      firstSeenAt: connector.statusAt ?? '',
      lastSeenAt: connector.statusAt ?? '',
      detail: `connector ${connector.connectorId} Faulted${connector.errorCode ? `: ${connector.errorCode}` : ''}`,
      episodes: 1,
    });
  }
  return faults;
}

/** A transaction stop for a transaction the backend never started: kept for the operator to reconcile. */
function orphanRowOf(stop: OrphanTransactionStop): AlertRow {
  return {
    chargerId: stop.chargerId,
    kind: 'orphan-transaction',
    source: 'fleet',
    state: 'open',
    firstSeenAt: stop.at,
    lastSeenAt: stop.at,
    detail: `StopTransaction ${stop.transactionId} (${stop.reason}, meterStop ${stop.meterStop} Wh) without a started transaction`,
    episodes: 1,
  };
}

function alertRowOf(alert: Alert): AlertRow {
  return {
    chargerId: alert.chargerId,
    kind: alert.kind,
    source: 'detector',
    state: alert.status,
    firstSeenAt: alert.firstSeenAt,
    lastSeenAt: alert.lastSeenAt,
    ...(alert.clearedAt ? { clearedAt: alert.clearedAt } : {}),
    detail: alert.detail,
    episodes: alert.episodes,
    ...(alert.acknowledgedAt ? { acknowledgedAt: alert.acknowledgedAt } : {}),
    ...(alert.acknowledgedBy ? { acknowledgedBy: alert.acknowledgedBy } : {}),
  };
}

export interface SessionRow {
  sessionId: string;
  chargerId: string;
  connectorId: number;
  userId: string;
  idTag: string;
  status: Session['status'];
  active: boolean;
  startedAt: string;
  endedAt?: string;
  durationS: number;
  energyWh: number;
  costMinor: number;
  currency: string;
  stopReason?: string;
  transactionId?: number;
}

const activeStatuses: readonly string[] = ['Authorized', 'Charging'];

export function sessionRowOf(session: Session, now: Date): SessionRow {
  const active = activeStatuses.includes(session.status);
  const end = session.endedAt ? Date.parse(session.endedAt) : now.getTime();
  return {
    sessionId: session.sessionId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    userId: session.userId,
    idTag: session.idTag,
    status: session.status,
    active,
    startedAt: session.startedAt,
    ...(session.endedAt ? { endedAt: session.endedAt } : {}),
    durationS: session.durationS ?? Math.max(0, Math.round((end - Date.parse(session.startedAt)) / 1000)),
    energyWh: session.energyWh,
    costMinor: session.costMinor,
    currency: session.currency,
    ...(session.stopReason ? { stopReason: session.stopReason } : {}),
    ...(session.transactionId !== undefined ? { transactionId: session.transactionId } : {}),
  };
}

/** Active sessions first, then the most recent; at most `limit`. */
export function sessionListOf(sessions: Session[], now: Date, limit: number): SessionRow[] {
  return sessions
    .map((session) => sessionRowOf(session, now))
    .sort((a, b) => Number(b.active) - Number(a.active) || b.startedAt.localeCompare(a.startedAt))
    .slice(0, limit);
}

export interface ReadingPoint {
  at: string;
  registerWh?: number;
  powerW?: number;
}

export function readingPointsOf(readings: MeterReading[]): ReadingPoint[] {
  return readings
    .map((reading) => ({
      at: reading.at,
      ...(reading.registerWh !== undefined ? { registerWh: reading.registerWh } : {}),
      ...(reading.powerW !== undefined ? { powerW: reading.powerW } : {}),
    }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

export interface EnergyHours {
  /** Start of each hour (ISO), oldest first. */
  hours: string[];
  fleetWh: number[];
  /** Per site (the charger's gateway, or `unassigned`). */
  sites: Record<string, number[]>;
}

const HOUR_MS = 3_600_000;

/**
 * Delivered energy per hour over the last `hoursBack` hours, from sessions: each session's energy is spread
 * evenly over its charging time (the analytics aggregates replace this once they run).
 */
export function energyPerHour(
  sessions: Session[],
  siteOf: (chargerId: string) => string,
  now: Date,
  hoursBack = 24,
): EnergyHours {
  const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const firstHour = lastHour - (hoursBack - 1) * HOUR_MS;
  const hours = Array.from({ length: hoursBack }, (_, index) =>
    new Date(firstHour + index * HOUR_MS).toISOString(),
  );
  const fleetWh = new Array<number>(hoursBack).fill(0);
  const sites: Record<string, number[]> = {};
  for (const session of sessions) {
    if (session.energyWh <= 0) continue;
    const start = Date.parse(session.chargingStartedAt ?? session.startedAt);
    const end = Math.max(
      start + 1,
      Date.parse(session.endedAt ?? session.lastReadingAt ?? now.toISOString()),
    );
    const site = siteOf(session.chargerId);
    sites[site] ??= new Array<number>(hoursBack).fill(0);
    for (let index = 0; index < hoursBack; index++) {
      const from = Math.max(start, firstHour + index * HOUR_MS);
      const to = Math.min(end, firstHour + (index + 1) * HOUR_MS);
      if (to <= from) continue;
      const share = (session.energyWh * (to - from)) / (end - start);
      fleetWh[index] = (fleetWh[index] ?? 0) + share;
      const siteHours = sites[site];
      if (siteHours) siteHours[index] = (siteHours[index] ?? 0) + share;
    }
  }
  const round = (values: number[]) => values.map((value) => Math.round(value));
  return {
    hours,
    fleetWh: round(fleetWh),
    sites: Object.fromEntries(Object.entries(sites).map(([site, values]) => [site, round(values)])),
  };
}

/** At most this many hours per request (31 days): the hours are one Query, one item each. */
export const CHARGER_ENERGY_MAX_HOURS = 744;

/** A `from`/`to` query value (a day, an hour `yyyy-MM-ddTHH` or an ISO time, UTC) as its hour, `yyyy-MM-ddTHH`. */
function hourOf(name: string, value: string): string {
  const text = /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(value) ? `${value}:00:00.000Z` : value;
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(at))
    throw new BadInputError(name, 'must be a UTC day or time, e.g. 2026-12-06 or 2026-12-06T10');
  return new Date(at).toISOString().slice(0, 13);
}

/**
 * The hours `GET /ops/api/chargers/{chargerId}/energy?from&to` asks for (inclusive): by default the last 24 up to
 * now's; at most CHARGER_ENERGY_MAX_HOURS.
 */
export function energyHoursRange(
  query: { from?: string; to?: string },
  now: Date,
): { fromHour: string; toHour: string } {
  const toHour = query.to ? hourOf('to', query.to) : now.toISOString().slice(0, 13);
  const fromHour = query.from
    ? hourOf('from', query.from)
    : new Date(Date.parse(`${toHour}:00:00.000Z`) - 23 * 3_600_000).toISOString().slice(0, 13);
  const hours = (Date.parse(`${toHour}:00:00.000Z`) - Date.parse(`${fromHour}:00:00.000Z`)) / 3_600_000 + 1;
  if (hours < 1) throw new BadInputError('from', 'must not be after to');
  if (hours > CHARGER_ENERGY_MAX_HOURS)
    throw new BadInputError('from', `must be at most ${CHARGER_ENERGY_MAX_HOURS} hours before to`);
  return { fromHour, toHour };
}
