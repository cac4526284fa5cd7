import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from './context.js';
import { round } from './stats.js';

// Group 7: the telemetry archive's named queries (DuckDB, in process) over a generated fleet-month laid out
// exactly as Firehose writes it to S3 (kind/day/hour prefixes, GZIP NDJSON, the rules' envelope).

export interface TelemetryQueryRow {
  query: string;
  ms: number;
  rows: number;
}

/** The local Firehose (as `npm start` runs telemetry's delivery stream) against the same records gzipped raw. */
export interface ArchiveThroughput {
  chargers: number;
  records: number;
  mb: number;
  objects: number;
  /** Records/s through the delivery stream: JQ partitioning (jq-web, real jq), buffering, GZIP, one object per partition. */
  perS: number;
  /** Records/s for the floor: the same records grouped by hour and gzipped, no JQ. */
  baselinePerS: number;
  ratio: number;
}

export interface TelemetryBenchResult {
  fleet: {
    chargers: number;
    days: number;
    heartbeatIntervalS: number;
    meterIntervalS: number;
    sessionsPerDay: number;
    messages: number;
    objects: number;
    rawMb: number;
    gzipMb: number;
  };
  generateS: number;
  queries: TelemetryQueryRow[];
  archive: ArchiveThroughput;
}

const HEARTBEAT_S = 300;
const METER_S = 900;
const SESSIONS_PER_DAY = 2;
/** Each charger's two one-hour sessions a day start at these hours, shifted per charger. */
const SESSION_HOURS = [8, 18];
const POWER_W = 7_200;
const FIRST_DAY = Date.parse('2026-11-01T00:00:00.000Z');

interface Envelope {
  chargerId: string;
  clientId: string;
  topic: string;
  receivedAt: number;
}

const envelope = (chargerId: string, suffix: string, receivedAt: number): Envelope => ({
  chargerId,
  clientId: chargerId,
  topic: `chargers/${chargerId}/${suffix}`,
  receivedAt,
});

/** An archived record: the payload and the rules' envelope (what `archivePrefix` files it by). */
type ArchivedRecord = { topic: string; receivedAt: number; [field: string]: unknown };

/** The messages one charger sends in one hour, in the contract's v1 shapes. */
function hourOfCharger(index: number, hourStart: number, registerWh: number[]): ArchivedRecord[] {
  const chargerId = `BENCH-${String(index).padStart(5, '0')}`;
  const records: ArchivedRecord[] = [];
  const add = (record: ArchivedRecord) => records.push(record);
  const hour = new Date(hourStart).getUTCHours();
  const charging = SESSION_HOURS.some((start) => (start + (index % 4)) % 24 === hour);
  const sessionId = `00000000-0000-4000-8000-${String(index).padStart(6, '0')}${String(hourStart / 3_600_000).padStart(6, '0')}`;
  if (hour === 0) {
    const at = hourStart + (index % 60) * 1000;
    add({
      clientId: chargerId,
      timestamp: at,
      eventType: 'connected',
      sessionIdentifier: `${chargerId}-${at}`,
      principalIdentifier: chargerId,
      versionNumber: at / 1000,
      ipAddress: '10.0.0.1',
      chargerId,
      topic: `$aws/events/presence/connected/${chargerId}`,
      receivedAt: at,
    });
  }
  if (charging) {
    const at = hourStart + 30_000;
    add({
      requestId: randomUUID(),
      connectorId: 1,
      idTag: `TAG-${index}`,
      at: new Date(at).toISOString(),
      ...envelope(chargerId, 'auth/request', at + 40),
    });
    add({
      messageId: randomUUID(),
      connectorId: 1,
      status: index % 97 === 0 ? 'Faulted' : 'Charging',
      errorCode: index % 97 === 0 ? 'GroundFailure' : 'NoError',
      at: new Date(at + 5_000).toISOString(),
      ...envelope(chargerId, 'status', at + 5_040),
    });
  }
  for (let offset = 0; offset < 3_600_000; offset += HEARTBEAT_S * 1000) {
    const at = hourStart + offset + (index % 300) * 1000;
    add({ at: new Date(at).toISOString(), ...envelope(chargerId, 'heartbeat', at + 40) });
  }
  for (let offset = 0; offset < 3_600_000; offset += METER_S * 1000) {
    const at = hourStart + offset + (index % 900) * 1000;
    if (charging) registerWh[index] = (registerWh[index] ?? 0) + (POWER_W * METER_S) / 3600;
    add({
      messageId: randomUUID(),
      connectorId: 1,
      at: new Date(at).toISOString(),
      energy: { value: registerWh[index] ?? 0, unit: 'Wh' },
      powerW: charging ? POWER_W : 0,
      context: 'Sample.Periodic',
      ...(charging ? { sessionId } : {}),
      ...envelope(chargerId, 'meter', at + 40),
    });
  }
  return records;
}

/** Writes `days` of a `chargers` fleet as Firehose objects: one object per archive prefix (kind, day, hour). */
function generateArchive(
  bucketDir: string,
  chargers: number,
  days: number,
  archivePrefix: (record: ArchivedRecord) => string,
) {
  const registerWh: number[] = [];
  let messages = 0;
  let objects = 0;
  let rawBytes = 0;
  let gzipBytes = 0;
  for (let hourStart = FIRST_DAY; hourStart < FIRST_DAY + days * 86_400_000; hourStart += 3_600_000) {
    const lines = new Map<string, string[]>();
    for (let index = 0; index < chargers; index++) {
      for (const record of hourOfCharger(index, hourStart, registerWh)) {
        const prefix = archivePrefix(record);
        const list = lines.get(prefix) ?? [];
        list.push(JSON.stringify(record));
        lines.set(prefix, list);
      }
    }
    const stamp = new Date(hourStart).toISOString().slice(0, 19).replace(/[T:]/g, '-');
    for (const [prefix, list] of lines) {
      const body = `${list.join('\n')}\n`;
      const gzipped = gzipSync(body);
      mkdirSync(join(bucketDir, prefix), { recursive: true });
      writeFileSync(
        join(bucketDir, `${prefix}bench-telemetry-archive-1-${stamp}-${randomUUID()}.gz`),
        gzipped,
      );
      messages += list.length;
      objects++;
      rawBytes += Buffer.byteLength(body);
      gzipBytes += gzipped.length;
    }
  }
  return { messages, objects, rawBytes, gzipBytes };
}

/** One hour of `chargers` chargers' messages as the archive rules put them (one JSON line each). */
function hourOfRecords(chargers: number, hourStart: number): Buffer[] {
  const registers: number[] = [];
  const records: Buffer[] = [];
  for (let index = 0; index < chargers; index++)
    for (const record of hourOfCharger(index, hourStart, registers))
      records.push(Buffer.from(`${JSON.stringify(record)}\n`));
  return records;
}

async function measureArchiveThroughput(
  context: BenchContext,
  archivePrefix: (record: ArchivedRecord) => string,
): Promise<ArchiveThroughput> {
  const { DeliveryStream, loadCloudConfig } = await import('@evcharge/local-cloud');
  const config = await loadCloudConfig({
    services: ['telemetry'],
    awsEndpoint: 'http://127.0.0.1:9',
    tableName: 'bench-telemetry',
  });
  const archive = config.deliveryStreams.find((stream) => stream.name.endsWith('-telemetry-archive'));
  if (!archive) throw new Error('telemetry declares no archive delivery stream');
  const chargers = context.quick ? 200 : 2_000;
  const records = hourOfRecords(chargers, FIRST_DAY);
  let objects = 0;
  const stream = await DeliveryStream.create(
    { ...archive, bufferIntervalS: 3_600 },
    {
      sink: {
        putObject: async () => {
          objects++;
        },
      },
    },
  );
  const started = performance.now();
  for (const record of records) stream.putRecord(record);
  await stream.flush();
  const seconds = (performance.now() - started) / 1000;
  // The floor: the same records parsed, grouped by the same prefix in TypeScript, and gzipped: no JQ.
  const baselineStarted = performance.now();
  const groups = new Map<string, Buffer[]>();
  for (const record of records) {
    const prefix = archivePrefix(JSON.parse(record.toString('utf8')) as ArchivedRecord);
    const group = groups.get(prefix) ?? [];
    group.push(record);
    groups.set(prefix, group);
  }
  for (const group of groups.values()) gzipSync(Buffer.concat(group));
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const perS = round(records.length / seconds);
  const baselinePerS = round(records.length / baselineSeconds);
  return {
    chargers,
    records: records.length,
    mb: round(records.reduce((sum, record) => sum + record.length, 0) / 1_048_576),
    objects,
    perS,
    baselinePerS,
    ratio: round(perS / baselinePerS),
  };
}

export async function measureTelemetry(context: BenchContext): Promise<TelemetryBenchResult> {
  // The fleet-month in a full run; CI's smoke run keeps the same shapes on a small slice.
  const chargers = context.quick ? 50 : 1_000;
  const days = context.quick ? 2 : 30;
  const bucketDir = mkdtempSync(join(tmpdir(), 'bench-telemetry-'));
  try {
    context.progress(`generating ${days} days of ${chargers} chargers in the archive layout`);
    const started = performance.now();
    const { archivePrefix } = await import('../../services/telemetry/src/analytics/archive-layout.js');
    const volume = generateArchive(bucketDir, chargers, days, archivePrefix);
    const generateS = round((performance.now() - started) / 1000);
    const engine = await import('../../services/telemetry/src/analytics/engine.js');
    const { namedQueries } = await import('../../services/telemetry/src/analytics/queries.js');
    context.progress('archive throughput through the local Firehose');
    const throughput = await measureArchiveThroughput(context, archivePrefix);
    const archive = await engine.openLocalArchive(bucketDir);
    const lastDay = new Date(FIRST_DAY + (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const from = new Date(FIRST_DAY).toISOString().slice(0, 10);
    const queries: TelemetryQueryRow[] = [];
    try {
      for (const query of namedQueries) {
        const filters = {
          from,
          to: lastDay,
          ...(query.name === 'session-messages'
            ? {
                session: `00000000-0000-4000-8000-000001${String(FIRST_DAY / 3_600_000 + 8 + 1).padStart(6, '0')}`,
              }
            : {}),
        };
        const queryStarted = performance.now();
        const rows = await engine.runNamedQuery(archive, query.name, filters);
        queries.push({ query: query.name, ms: round(performance.now() - queryStarted), rows: rows.length });
        context.progress(`  ${query.name}: ${rows.length} rows in ${queries.at(-1)?.ms} ms`);
      }
    } finally {
      archive.close();
    }
    return {
      fleet: {
        chargers,
        days,
        heartbeatIntervalS: HEARTBEAT_S,
        meterIntervalS: METER_S,
        sessionsPerDay: SESSIONS_PER_DAY,
        messages: volume.messages,
        objects: volume.objects,
        rawMb: round(volume.rawBytes / 1_048_576),
        gzipMb: round(volume.gzipBytes / 1_048_576),
      },
      generateS,
      queries,
      archive: throughput,
    };
  } finally {
    rmSync(bucketDir, { recursive: true, force: true });
  }
}
