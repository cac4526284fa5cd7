import type { CostLine } from './cost.js';
import { TELEMETRY_PRICES as P, PRICES } from './prices.js';
import type { TelemetryBenchResult } from './telemetry.js';

// The telemetry archive and analysis path per charger-month (it is optional per deploy, so it is priced
// apart from the default total). Volumes from the issue's assumptions; sizes measured in group 7 when it ran.

export interface TelemetryCostAssumptions {
  fleetSize: number;
  /** Device → cloud messages per charger-month (every one archived): 5-min heartbeats, 15-min readings, 2 sessions a day, 1 reconnect a day. */
  archivedMessages: number;
  /** Of them, what the analysis stream carries: readings, statuses and lifecycle events. */
  analysedMessages: number;
  /** Archived record size with the rules' envelope, and the compression GZIP achieves (measured when group 7 ran). */
  recordBytes: number;
  gzipRatio: number;
  /** Objects Firehose writes a month for the whole fleet: kinds × hours × flushes per hour (300 s buffer). */
  fleetObjects: number;
  retentionMonths: number;
  /** Records JQ parses per second (for its processing hours). */
  jqRecordsPerS: number;
  analysisStreamMode: 'ON_DEMAND' | 'PROVISIONED';
  /** analyse invocations a month per shard (a 5 s batch window) and the billed ms each. */
  analyseInvocationsPerShard: number;
  analyseBilledMs: number;
  /** Table writes the detectors make per charger-month (presence history, hourly aggregates, alerts). */
  detectorWriteUnits: number;
  /** Operator queries a month over the fleet, each scanning the partitions of one month of one kind. */
  athenaQueries: number;
}

const MONTH_H = 30 * 24;

export function telemetryAssumptions(measured?: TelemetryBenchResult): TelemetryCostAssumptions {
  const heartbeats = (30 * 86_400) / 300;
  const meters = (30 * 86_400) / 900;
  const statuses = 30 * 2 * 2;
  const auths = 30 * 2;
  const presence = 30 * 2;
  const bytesPerRecord = measured ? (measured.fleet.rawMb * 2 ** 20) / measured.fleet.messages : 230;
  return {
    fleetSize: 10_000,
    archivedMessages: heartbeats + meters + statuses + auths + presence,
    analysedMessages: meters + statuses + presence,
    recordBytes: Math.round(bytesPerRecord),
    gzipRatio: measured ? measured.fleet.gzipMb / measured.fleet.rawMb : 0.15,
    fleetObjects: 8 * MONTH_H * 12,
    retentionMonths: 400 / 30,
    jqRecordsPerS: 20_000,
    analysisStreamMode: 'ON_DEMAND',
    analyseInvocationsPerShard: (30 * 86_400) / 5,
    analyseBilledMs: 50,
    // Per charger-month: 24 hourly aggregate writes a day, a presence-history write per reconnect; alerts are rare.
    detectorWriteUnits: 30 * 24 + 30 * 2,
    athenaQueries: 100,
  };
}

export function telemetryCostLines(a: TelemetryCostAssumptions): { lines: CostLine[]; totalUsd: number } {
  const perCharger = (fleetUsd: number) => fleetUsd / a.fleetSize;
  const gb = (bytes: number) => bytes / 2 ** 30;
  const archivedBytes = a.archivedMessages * a.recordBytes;
  const billedIngestBytes =
    a.archivedMessages * Math.ceil(a.recordBytes / P.firehoseRecordUnitBytes) * P.firehoseRecordUnitBytes;
  const storedGb = gb(archivedBytes * a.gzipRatio) * a.retentionMonths;
  const shards = 1;
  const streamUsd =
    a.analysisStreamMode === 'ON_DEMAND'
      ? perCharger(MONTH_H * P.kinesisOnDemandPerStreamHour) +
        gb(a.analysedMessages * a.recordBytes) * P.kinesisOnDemandPerGbIn
      : perCharger(MONTH_H * shards * P.kinesisShardHour) +
        (a.analysedMessages / 1e6) * P.kinesisPutUnitsPerMillion;
  const analyseRequests = perCharger(a.analyseInvocationsPerShard * shards);
  const lines: CostLine[] = [
    {
      line: 'IoT rule actions (Firehose for every message, Kinesis for readings/statuses/lifecycle)',
      quantity: a.archivedMessages + a.analysedMessages,
      unit: 'actions',
      usd: ((a.archivedMessages + a.analysedMessages) / 1e6) * PRICES.iotRuleActionsPerMillion,
    },
    {
      line: 'IoT rules triggered (the archive rules; the analysis rules ride on the same messages)',
      quantity: a.archivedMessages + a.analysedMessages,
      unit: 'rules',
      usd: ((a.archivedMessages + a.analysedMessages) / 1e6) * PRICES.iotRulesTriggeredPerMillion,
    },
    {
      line: `Firehose ingestion (${a.recordBytes} B records billed as 5 KB each)`,
      quantity: gb(billedIngestBytes),
      unit: 'GB',
      usd: gb(billedIngestBytes) * P.firehoseIngestionPerGb,
    },
    {
      line: 'Firehose dynamic partitioning (GB processed, objects, JQ hours)',
      quantity: gb(archivedBytes),
      unit: 'GB',
      usd:
        gb(archivedBytes) * P.firehosePartitioningPerGb +
        perCharger((a.fleetObjects / 1000) * P.firehosePerThousandObjects) +
        (a.archivedMessages / a.jqRecordsPerS / 3600) * P.firehoseJqPerHour,
    },
    {
      line: `S3 storage (GZIP ${Math.round(a.gzipRatio * 100)} %, kept ${Math.round(a.retentionMonths)} months) and PUTs`,
      quantity: storedGb,
      unit: 'GB-month',
      usd: storedGb * P.s3StoragePerGbMonth + perCharger((a.fleetObjects / 1000) * P.s3PutsPerThousand),
    },
    {
      line: `Kinesis analysis stream (${a.analysisStreamMode === 'ON_DEMAND' ? 'on demand' : `${shards} provisioned shard`}, shared by ${a.fleetSize} chargers)`,
      quantity: a.analysedMessages,
      unit: 'records',
      usd: streamUsd,
    },
    {
      line: `analyse Lambda (a batch every 5 s per shard, ${a.analyseBilledMs} ms at 256 MB)`,
      quantity: analyseRequests,
      unit: 'requests',
      usd:
        (analyseRequests / 1e6) * PRICES.lambdaRequestsPerMillion +
        analyseRequests * (a.analyseBilledMs / 1000) * 0.25 * PRICES.lambdaArm64PerGbSecond,
    },
    {
      line: 'DynamoDB writes of the detectors (hourly aggregates, presence history; alerts rare)',
      quantity: a.detectorWriteUnits,
      unit: 'WRU',
      usd: (a.detectorWriteUnits / 1e6) * PRICES.dynamodbWriteRequestUnitsPerMillion,
    },
    {
      line: `Athena (${a.athenaQueries} operator queries a month, each over one kind-month of the fleet)`,
      quantity: a.athenaQueries,
      unit: 'queries',
      usd: perCharger(
        a.athenaQueries *
          Math.max(10 / 1024 / 1024, (gb(archivedBytes * a.gzipRatio) * a.fleetSize) / 4 / 1024) *
          P.athenaPerTbScanned,
      ),
    },
  ];
  return { lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}

export interface TelemetryCost {
  assumptions: TelemetryCostAssumptions;
  measured: boolean;
  lines: CostLine[];
  totalUsd: number;
  options: { option: string; totalUsd: number }[];
}

/** The default (on-demand stream, 10,000 chargers) and the variants an operator chooses between. */
export function telemetryCost(measured?: TelemetryBenchResult): TelemetryCost {
  const assumptions = telemetryAssumptions(measured);
  const variants: [string, Partial<TelemetryCostAssumptions>][] = [
    ['analysis stream PROVISIONED, 1 shard', { analysisStreamMode: 'PROVISIONED' }],
    ['1,000 chargers, on demand', { fleetSize: 1_000 }],
    ['1,000 chargers, PROVISIONED 1 shard', { fleetSize: 1_000, analysisStreamMode: 'PROVISIONED' }],
  ];
  return {
    assumptions,
    measured: measured !== undefined,
    ...telemetryCostLines(assumptions),
    options: variants.map(([option, change]) => ({
      option,
      totalUsd: telemetryCostLines({ ...assumptions, ...change }).totalUsd,
    })),
  };
}
