import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpsRow } from './dynamo-ops.js';
import { repoRoot } from './paths.js';
import { OCPP_GATEWAY_SAMPLE, PRICES } from './prices.js';
import { ratio } from './stats.js';

// Group 4: dollars per charger-month, from the operation counts, capacity and durations measured in
// group 2 (never typed in) and the list prices in prices.ts.

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
  /** A heartbeat writes DynamoDB at most once per this many seconds (the option "larger throttle"). */
  heartbeatWriteEveryS: number;
  basicIngest: boolean;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  heartbeatIntervalS: 300,
  meterIntervalS: 900,
  sessionsPerDay: 1,
  sessionHours: 1,
  reconnectsPerDay: 1,
  fleetSize: 10_000,
  streamRecordsPerNotifyInvocation: 1,
  heartbeatWriteEveryS: 300,
  basicIngest: false,
};

export interface CostLine {
  line: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface CostResult {
  memoryMb: number;
  lines: CostLine[];
  totalUsd: number;
  ratioToOcppSample: number;
  meetsTarget: boolean;
  options: { option: string; totalUsd: number; ratioToDefault: number }[];
  assumptions: CostAssumptions;
}

/** The Lambda memory every function is configured with (serverless.common.yml provider.memorySize). */
export function configuredMemoryMb(): number {
  const text = readFileSync(join(repoRoot, 'serverless.common.yml'), 'utf8');
  const match = /^\s+memorySize:\s*(\d+)/m.exec(text);
  if (!match) throw new Error('serverless.common.yml has no provider.memorySize');
  return Number(match[1]);
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

function row(rows: OpsRow[], message: string): OpsRow {
  const found = rows.find((candidate) => candidate.message === message);
  if (!found) throw new Error(`cost model: no measured row "${message}"`);
  return found;
}

export function costPerChargerMonth(
  rows: OpsRow[],
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
  memoryMb = configuredMemoryMb(),
): Omit<CostResult, 'options'> {
  const a = assumptions;
  const heartbeats = MONTH_S / a.heartbeatIntervalS;
  const meters = MONTH_S / a.meterIntervalS;
  const sessions = 30 * a.sessionsPerDay;
  const metersInSession = Math.min(meters, sessions * ((a.sessionHours * 3600) / a.meterIntervalS));
  const presenceEvents = 30 * a.reconnectsPerDay * 2;
  const heartbeatWriteShare = Math.min(1, a.heartbeatIntervalS / a.heartbeatWriteEveryS);

  const heartbeat = row(rows, 'heartbeat');
  const throttled = row(rows, 'heartbeat (throttled, < 30 s)');
  const meterIn = row(rows, 'meter (in session)');
  const meterOut = row(rows, 'meter (no session)');
  const auth = row(rows, 'auth (Accepted)');
  const plugged = row(rows, 'plug (plugged → Charging)');
  const unplugged = row(rows, 'plug (unplugged → Completed)');
  const presence = row(rows, 'presence (connected)');
  const notification = row(rows, 'notification (session.completed)');
  const sweepers = [
    'offline sweeper run (nothing due)',
    'session-expiry sweeper run (nothing due)',
    'meter-request sweeper run (nothing due)',
  ].map((name) => row(rows, name));

  // Invocations of each function per charger-month, with the row that measured its cost.
  const snsPerSession = 2; // session.authorized + session.completed
  const notifications = sessions * snsPerSession;
  // Records that pass the notify filter: every committed write to a Charger/Session/AuthAttempt item.
  const streamRecords = heartbeats * heartbeatWriteShare + sessions * 4 + presenceEvents;
  const notifyInvocations = streamRecords / Math.max(1, a.streamRecordsPerNotifyInvocation);
  const runsPerMonth = MONTH_S / 60;
  const work: { count: number; row: OpsRow; wcuShare?: number }[] = [
    { count: heartbeats * heartbeatWriteShare, row: heartbeat },
    { count: heartbeats * (1 - heartbeatWriteShare), row: throttled },
    { count: metersInSession, row: meterIn },
    { count: meters - metersInSession, row: meterOut },
    { count: sessions, row: auth },
    { count: sessions, row: plugged },
    { count: sessions, row: unplugged },
    { count: presenceEvents, row: presence },
  ];
  const deviceMessages = heartbeats + meters + sessions * 3 + presenceEvents;
  const lambdaInvocations =
    work.reduce((sum, item) => sum + item.count, 0) +
    notifyInvocations +
    (sweepers.length * runsPerMonth) / a.fleetSize;
  const gbPerInvocation = memoryMb / 1024;
  const billedSeconds = (durationMs: number) => Math.max(1, Math.ceil(durationMs)) / 1000;
  const gbSeconds =
    work.reduce((sum, item) => sum + item.count * billedSeconds(item.row.durationMs), 0) * gbPerInvocation +
    notifyInvocations * billedSeconds(notification.durationMs) * gbPerInvocation +
    (sweepers.reduce((sum, sweeper) => sum + billedSeconds(sweeper.durationMs), 0) *
      runsPerMonth *
      gbPerInvocation) /
      a.fleetSize;
  const wru =
    work.reduce((sum, item) => sum + item.count * item.row.wcu, 0) +
    notifications * notification.wcu +
    (sweepers.reduce((sum, sweeper) => sum + sweeper.wcu, 0) * runsPerMonth) / a.fleetSize;
  const rru =
    work.reduce((sum, item) => sum + item.count * item.row.rcu, 0) +
    notifications * notification.rcu +
    (sweepers.reduce((sum, sweeper) => sum + sweeper.rcu, 0) * runsPerMonth) / a.fleetSize;

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
      line: `Lambda duration (arm64, ${memoryMb} MB, measured ms)`,
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * PRICES.lambdaArm64PerGbSecond,
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
      quantity: notifications * notification.snsPublishes,
      unit: 'publishes',
      usd: perMillion(notifications * notification.snsPublishes, PRICES.snsPublishesPerMillion),
    },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  return {
    memoryMb,
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
    ['IoT Basic Ingest for heartbeats and meters', { basicIngest: true }],
    ['heartbeat DynamoDB write throttle 900 s (messages stay at 300 s)', { heartbeatWriteEveryS: 900 }],
    ['heartbeat interval 900 s', { heartbeatIntervalS: 900, heartbeatWriteEveryS: 900 }],
    ['Basic Ingest + write throttle 900 s', { basicIngest: true, heartbeatWriteEveryS: 900 }],
    [
      'Basic Ingest + heartbeat interval 900 s',
      { basicIngest: true, heartbeatIntervalS: 900, heartbeatWriteEveryS: 900 },
    ],
  ];
  const options = variants.map(([option, change]) => {
    const totalUsd = costPerChargerMonth(rows, { ...base, ...change }).totalUsd;
    return { option, totalUsd, ratioToDefault: ratio(totalUsd, standard.totalUsd) };
  });
  return { ...standard, options };
}
