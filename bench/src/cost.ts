import { commonMemoryMb, configuredMemoryMb, deployedSystemLogLevel } from './deploy-config.js';
import type { OpsRow } from './dynamo-ops.js';
import { OCPP_GATEWAY_SAMPLE, PRICES } from './prices.js';
import { ratio } from './stats.js';

// Group 4: dollars per charger-month, from the operation counts, capacity, log output and durations measured
// in group 2 (never typed in) and the list prices in prices.ts.

export { configuredMemoryMb };

export const COST_TARGET_USD = 0.02;
const MONTH_S = 30 * 86_400;

export interface CostAssumptions {
  heartbeatIntervalS: number;
  meterIntervalS: number;
  sessionsPerDay: number;
  /** Meter readings that fall inside a session (the rest are unlinked readings). */
  sessionHours: number;
  /** Connect + disconnect lifecycle events per day (one reconnect a day). */
  reconnectsPerDay: number;
  /** Fleet the scheduled sweepers' fixed cost is shared over. */
  fleetSize: number;
  /** Stream records per notify invocation (measured in the pipeline; 1 when unknown). */
  streamRecordsPerNotifyInvocation: number;
  /** A heartbeat writes DynamoDB at most once per this many seconds (the heartbeat service's coalescing window). */
  heartbeatWriteEveryS: number;
  basicIngest: boolean;
  /** Lambda's system log level: WARN (the deploy default) leaves out START/END/REPORT. */
  systemLogLevel: 'DEBUG' | 'INFO' | 'WARN';
}

/** Lambda gives a function one full vCPU at 1,769 MB and CPU in proportion to memory below (AWS Lambda docs). */
export const FULL_VCPU_MEMORY_MB = 1_769;

/**
 * Round trips on AWS, in the same region (assumed, not measured here: DynamoDB Local on a shared machine is
 * not DynamoDB): a DynamoDB request, a transaction (two phases), an SNS or IoT data-plane publish.
 */
export const AWS_LATENCY_MS = { dynamodbRequest: 5, dynamodbTransaction: 10, publish: 10 };

/** CPU time measured here, where a function has a whole core, at the CPU share Lambda gives `memoryMb`. */
export function scaledDurationMs(cpuMs: number, memoryMb: number): number {
  return cpuMs * Math.max(1, FULL_VCPU_MEMORY_MB / memoryMb);
}

/** An invocation's billed duration on AWS: its measured CPU time scaled to its memory, plus its AWS round trips. */
export function lambdaDurationMs(row: OpsRow, memoryMb: number): number {
  // Rows measured before CPU time was recorded fall back on their wall time, which includes the waits.
  const cpuMs = row.cpuMs ?? row.durationMs;
  const waits =
    row.cpuMs === undefined
      ? 0
      : (row.reads + row.writes) * AWS_LATENCY_MS.dynamodbRequest +
        row.transactions * AWS_LATENCY_MS.dynamodbTransaction +
        (row.snsPublishes + row.iotPublishes) * AWS_LATENCY_MS.publish;
  return scaledDurationMs(cpuMs, memoryMb) + waits;
}

/**
 * CloudWatch Logs bytes the platform writes per invocation at system log level INFO in JSON format
 * (platform.start ~150 B, platform.report ~450 B with its metrics, as the Lambda docs' examples show); none at WARN.
 */
export const PLATFORM_LOG_BYTES_AT_INFO = 600;

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  heartbeatIntervalS: 300,
  meterIntervalS: 900,
  sessionsPerDay: 2,
  sessionHours: 1,
  reconnectsPerDay: 1,
  fleetSize: 10_000,
  streamRecordsPerNotifyInvocation: 1,
  heartbeatWriteEveryS: 900,
  // The deploy default (`basicIngest` param): the gateway sends heartbeats and readings through IoT Basic Ingest.
  basicIngest: true,
  systemLogLevel: deployedSystemLogLevel() as CostAssumptions['systemLogLevel'],
};

export interface CostLine {
  line: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface CostResult {
  /** Notify function invocations per charger-month (records passing its stream filter / records per batch). */
  notifyInvocations: number;
  /** Notifications published per charger-month (each by one of those invocations). */
  notifications: number;
  /** The common memory size; a function with its own memorySize is priced at it. */
  memoryMb: number;
  lines: CostLine[];
  totalUsd: number;
  ratioToOcppSample: number;
  meetsTarget: boolean;
  options: { option: string; totalUsd: number; ratioToDefault: number }[];
  assumptions: CostAssumptions;
}

/** Device payload sizes as published (the rule adds the envelope after metering). */
export const PAYLOAD_BYTES = {
  heartbeat: JSON.stringify({ at: '2026-11-25T06:30:00.000Z', firmware: 'evcharge-sim/1.0' }).length,
  meter: JSON.stringify({
    messageId: '8a4f2c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
    connectorId: 1,
    sessionId: '3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a01',
    at: '2026-11-25T06:15:00.000Z',
    energy: { value: 12345, unit: 'Wh' },
    powerW: 7200,
    context: 'Sample.Periodic',
  }).length,
  auth: 160,
  plug: 140,
  authResponse: 200,
  presence: 300,
};

/** What one row adds over another (the same function's run with one more item to handle): its DynamoDB work. */
function marginal(with_: OpsRow, without: OpsRow): OpsRow {
  return {
    ...with_,
    reads: with_.reads - without.reads,
    writes: with_.writes - without.writes,
    transactions: with_.transactions - without.transactions,
    rcu: with_.rcu - without.rcu,
    wcu: with_.wcu - without.wcu,
    snsPublishes: 0,
    iotPublishes: 0,
  };
}

function row(rows: OpsRow[], message: string): OpsRow {
  const found = rows.find((candidate) => candidate.message === message);
  if (!found) throw new Error(`cost model: no measured row "${message}"`);
  return found;
}

/**
 * Dollars per charger-month under `assumptions`. `memoryMb` prices every function at one memory size (tests);
 * by default each function is priced at its own configured memory.
 */
export function costPerChargerMonth(
  rows: OpsRow[],
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
  memoryMb?: number,
): Omit<CostResult, 'options'> {
  const a = assumptions;
  const heartbeats = MONTH_S / a.heartbeatIntervalS;
  const meters = MONTH_S / a.meterIntervalS;
  const sessions = 30 * a.sessionsPerDay;
  const metersInSession = Math.min(meters, sessions * ((a.sessionHours * 3600) / a.meterIntervalS));
  const presenceEvents = 30 * a.reconnectsPerDay * 2;
  const heartbeatWriteShare = Math.min(1, a.heartbeatIntervalS / a.heartbeatWriteEveryS);
  const sweepRunsPerCharger = MONTH_S / 60 / a.fleetSize;

  const snsPerSession = 2; // session.authorized + session.completed
  // A reconnect is counted as an unclean one: the charger goes offline and back online, two notifications.
  const notifications = sessions * snsPerSession + presenceEvents;
  // Records that pass the notify function's stream filter (services/notifications/serverless.yml): per session
  // its opening (the user-list entry's insert) and its completion; a charger's status flips. Each of these
  // publishes one notification; boots, commands and alerts are rare and left out. A session's plug and readings,
  // its accepted auth attempt (stream-silent), heartbeats, re-armed deadlines and connector registers never pass
  // (services/notifications/tests/integration/stream-filter.test.ts). Change this with the filter.
  const streamRecords = sessions * 2 + presenceEvents;
  const notifyInvocations = streamRecords / Math.max(1, a.streamRecordsPerNotifyInvocation);

  // Every invocation per charger-month, with the measured row that prices it. A new message kind is one line.
  const work: { count: number; row: OpsRow; dynamo?: boolean }[] = [
    { count: heartbeats * heartbeatWriteShare, row: row(rows, 'heartbeat') },
    { count: heartbeats * (1 - heartbeatWriteShare), row: row(rows, 'heartbeat (coalesced, < 900 s)') },
    { count: metersInSession, row: row(rows, 'meter (in session)') },
    { count: meters - metersInSession, row: row(rows, 'meter (no session)') },
    { count: sessions, row: row(rows, 'auth (Accepted)') },
    { count: sessions, row: row(rows, 'plug (plugged → Charging)') },
    { count: sessions, row: row(rows, 'plug (unplugged → Completed)') },
    { count: presenceEvents, row: row(rows, 'presence (connected)') },
    // Lambda cost per notify invocation; its DynamoDB and SNS work happen once per notification.
    // The backstop: each connected charger is read and re-armed once per silence window (3,600 s by default);
    // the sweeper's invocation is shared by the fleet (above), so only the DynamoDB work is per charger.
    {
      count: MONTH_S / 3600,
      row: marginal(
        row(rows, 'offline sweeper run (one charger re-armed)'),
        row(rows, 'offline sweeper run (nothing due)'),
      ),
      dynamo: true,
    },
    { count: notifyInvocations, row: row(rows, 'notification (session.completed)'), dynamo: false },
    { count: notifications, row: row(rows, 'notification (session.completed)'), dynamo: true },
    // The scheduled sweepers, shared over the fleet.
    ...[
      'offline sweeper run (nothing due)',
      'session-expiry sweeper run (nothing due)',
      'meter-request sweeper run (nothing due)',
    ].map((name) => ({ count: sweepRunsPerCharger, row: row(rows, name) })),
  ];
  const invoked = work.filter((item) => item.dynamo !== true);
  const withDynamo = work.filter((item) => item.dynamo !== false);
  const deviceMessages = heartbeats + meters + sessions * 3 + presenceEvents;
  const lambdaInvocations = invoked.reduce((sum, item) => sum + item.count, 0);
  const memoryOf = (item: { row: OpsRow }) => memoryMb ?? configuredMemoryMb(item.row.functionId);
  const billedSeconds = (item: { row: OpsRow }) =>
    Math.max(1, Math.ceil(lambdaDurationMs(item.row, memoryOf(item)))) / 1000;
  const gbSeconds = invoked.reduce(
    (sum, item) => sum + item.count * billedSeconds(item) * (memoryOf(item) / 1024),
    0,
  );
  const wru = withDynamo.reduce((sum, item) => sum + item.count * item.row.wcu, 0);
  const rru = withDynamo.reduce((sum, item) => sum + item.count * item.row.rcu, 0);
  const snsPublishes = withDynamo.reduce((sum, item) => sum + item.count * item.row.snsPublishes, 0);
  // CloudWatch Logs: what each function writes (measured, at the deploy's application log level), plus the
  // platform's lines when the system log level lets them through; each event also carries 26 bytes of metadata.
  const platformBytes = a.systemLogLevel === 'WARN' ? 0 : PLATFORM_LOG_BYTES_AT_INFO;
  const platformEvents = a.systemLogLevel === 'WARN' ? 0 : 2;
  const logBytes = invoked.reduce(
    (sum, item) =>
      sum +
      item.count *
        ((item.row.logBytes ?? 0) +
          platformBytes +
          ((item.row.logEvents ?? 0) + platformEvents) * PRICES.logsEventOverheadBytes),
    0,
  );

  const units = (bytes: number) => Math.ceil(bytes / PRICES.iotMessageUnitBytes);
  const ingestMessages = a.basicIngest
    ? 0
    : heartbeats * units(PAYLOAD_BYTES.heartbeat) + meters * units(PAYLOAD_BYTES.meter);
  const messagingUnits =
    ingestMessages +
    sessions *
      (units(PAYLOAD_BYTES.auth) + units(PAYLOAD_BYTES.authResponse) + 2 * units(PAYLOAD_BYTES.plug)) +
    presenceEvents * units(PAYLOAD_BYTES.presence);
  const perMillion = (quantity: number, price: number) => (quantity / 1e6) * price;
  const memories = [...new Set(invoked.map(memoryOf))].join('/');
  const lines: CostLine[] = [
    {
      line: `IoT messaging (5 KB units${a.basicIngest ? '; heartbeat+meter via Basic Ingest' : ''})`,
      quantity: messagingUnits,
      unit: 'messages',
      usd: perMillion(messagingUnits, PRICES.iotMessagesPerMillion),
    },
    {
      line: 'IoT connectivity',
      quantity: MONTH_S / 60,
      unit: 'minutes',
      usd: perMillion(MONTH_S / 60, PRICES.iotConnectivityPerMillionMinutes),
    },
    {
      line: 'IoT rules triggered',
      quantity: deviceMessages,
      unit: 'rules',
      usd: perMillion(deviceMessages, PRICES.iotRulesTriggeredPerMillion),
    },
    {
      line: 'IoT rule actions (Lambda)',
      quantity: deviceMessages,
      unit: 'actions',
      usd: perMillion(deviceMessages, PRICES.iotRuleActionsPerMillion),
    },
    {
      line: 'Lambda requests',
      quantity: lambdaInvocations,
      unit: 'requests',
      usd: perMillion(lambdaInvocations, PRICES.lambdaRequestsPerMillion),
    },
    {
      line: `Lambda duration (arm64, ${memories} MB: CPU ms measured × ${FULL_VCPU_MEMORY_MB} MB / memory + AWS round trips)`,
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * PRICES.lambdaArm64PerGbSecond,
    },
    {
      line: `CloudWatch Logs ingestion (measured lines; system log level ${a.systemLogLevel})`,
      quantity: logBytes / 2 ** 20,
      unit: 'MB',
      usd: (logBytes / 2 ** 30) * PRICES.logsIngestionPerGb,
    },
    {
      line: 'DynamoDB writes (on-demand)',
      quantity: wru,
      unit: 'WRU',
      usd: perMillion(wru, PRICES.dynamodbWriteRequestUnitsPerMillion),
    },
    {
      line: 'DynamoDB reads (on-demand)',
      quantity: rru,
      unit: 'RRU',
      usd: perMillion(rru, PRICES.dynamodbReadRequestUnitsPerMillion),
    },
    {
      line: 'SNS publishes',
      quantity: snsPublishes,
      unit: 'publishes',
      usd: perMillion(snsPublishes, PRICES.snsPublishesPerMillion),
    },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    notifyInvocations,
    notifications,
    memoryMb: memoryMb ?? commonMemoryMb(),
    lines,
    totalUsd,
    ratioToOcppSample: ratio(totalUsd, OCPP_GATEWAY_SAMPLE.usdPerChargerMonth),
    meetsTarget: totalUsd <= COST_TARGET_USD,
    assumptions,
  };
}

export function costWithOptions(rows: OpsRow[], base: CostAssumptions = DEFAULT_ASSUMPTIONS): CostResult {
  const standard = costPerChargerMonth(rows, base);
  const variants: [string, Partial<CostAssumptions>][] = [
    ['hourly heartbeats (3,600 s)', { heartbeatIntervalS: 3_600, heartbeatWriteEveryS: 3_600 }],
    ['system log level INFO (Lambda default: START/END/REPORT kept)', { systemLogLevel: 'INFO' }],
    [
      'Basic Ingest off (basicIngest false: heartbeats and readings through the broker)',
      { basicIngest: false },
    ],
    [
      'heartbeat coalescing off (heartbeatCoalesceS 0: every heartbeat written)',
      { heartbeatWriteEveryS: 300 },
    ],
    ['heartbeat interval 900 s', { heartbeatIntervalS: 900, heartbeatWriteEveryS: 900 }],
  ];
  const options = variants.map(([option, change]) => {
    const totalUsd = costPerChargerMonth(rows, { ...base, ...change }).totalUsd;
    return { option, totalUsd, ratioToDefault: ratio(totalUsd, standard.totalUsd) };
  });
  return { ...standard, options };
}
