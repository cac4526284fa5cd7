import { describe, expect, it } from '@jest/globals';
import {
  AWS_LATENCY_MS,
  configuredMemoryMb,
  costPerChargerMonth,
  costWithOptions,
  DEFAULT_ASSUMPTIONS,
  FULL_VCPU_MEMORY_MB,
  lambdaDurationMs,
  PLATFORM_LOG_BYTES_AT_INFO,
  scaledDurationMs,
} from '../../src/cost.js';
import type { OpsRow } from '../../src/dynamo-ops.js';
import { PRICES } from '../../src/prices.js';

const messages = [
  'heartbeat',
  'heartbeat (coalesced, < 900 s)',
  'meter (in session)',
  'meter (no session)',
  'auth (Accepted)',
  'plug (plugged → Charging)',
  'plug (unplugged → Completed)',
  'presence (connected)',
  'notification (session.completed)',
  'offline sweeper run (nothing due)',
  'offline sweeper run (one charger re-armed)',
  'session-expiry sweeper run (nothing due)',
  'meter-request sweeper run (nothing due)',
];

function rows(overrides: Record<string, Partial<OpsRow>> = {}): OpsRow[] {
  return messages.map((message) => ({
    message,
    functionId: 'heartbeat.heartbeat',
    invocations: 1,
    logBytes: 0,
    logEvents: 0,
    reads: 0,
    writes: 0,
    transactions: 0,
    rcu: 0,
    wcu: 0,
    refusedWrites: 0,
    byCommand: {},
    snsPublishes: 0,
    iotPublishes: 0,
    durationMs: 1,
    cpuMs: 1,
    ...overrides[message],
  }));
}

/** 8,640 heartbeats a month, of which a warm container writes one per 900 s coalescing window. */
const WRITTEN_HEARTBEATS = 8_640 / 3;

const line = (result: ReturnType<typeof costPerChargerMonth>, prefix: string) =>
  result.lines.find((candidate) => candidate.line.startsWith(prefix))!;

describe('cost per charger-month', () => {
  it('states the assumptions the issue sets: 5-min heartbeats, 15-min readings, 2 sessions a day', () => {
    expect(DEFAULT_ASSUMPTIONS).toMatchObject({
      heartbeatIntervalS: 300,
      meterIntervalS: 900,
      sessionsPerDay: 2,
    });
  });

  it('counts one IoT message per device message and auth response at the default intervals', () => {
    const result = costPerChargerMonth(rows(), { ...DEFAULT_ASSUMPTIONS, basicIngest: false }, 256);
    // 8,640 heartbeats + 2,880 readings + 60 × (auth, response, 2 plugs) + 60 lifecycle events
    expect(line(result, 'IoT messaging').quantity).toBe(11_820);
    expect(line(result, 'IoT messaging').usd).toBeCloseTo(11_820 * 1e-6 * PRICES.iotMessagesPerMillion, 10);
    expect(line(result, 'IoT rules triggered').quantity).toBe(11_760);
    expect(line(result, 'IoT connectivity').quantity).toBe(43_200);
  });

  it('prices DynamoDB write units from the measured WCU per message', () => {
    const withHeartbeatWrites = costPerChargerMonth(
      rows({ heartbeat: { wcu: 3 } }),
      DEFAULT_ASSUMPTIONS,
      256,
    );
    expect(line(withHeartbeatWrites, 'DynamoDB writes').quantity).toBeCloseTo(WRITTEN_HEARTBEATS * 3, 6);
    expect(line(withHeartbeatWrites, 'DynamoDB writes').usd).toBeCloseTo(
      WRITTEN_HEARTBEATS * 3 * 0.625e-6,
      10,
    );
  });

  it('bills Lambda duration in whole milliseconds, scaled to the CPU share of the configured memory', () => {
    const slow = costPerChargerMonth(rows({ heartbeat: { cpuMs: 9.2 } }), DEFAULT_ASSUMPTIONS, 256);
    const fast = costPerChargerMonth(rows(), DEFAULT_ASSUMPTIONS, 256);
    const extraGbS = line(slow, 'Lambda duration').quantity - line(fast, 'Lambda duration').quantity;
    const billed = (ms: number) => Math.ceil(ms * (FULL_VCPU_MEMORY_MB / 256));
    expect(extraGbS).toBeCloseTo(WRITTEN_HEARTBEATS * (billed(9.2) - billed(1)) * 0.001 * 0.25, 6);
    expect(scaledDurationMs(10, 256)).toBeCloseTo(10 * (1_769 / 256), 6);
    // A whole vCPU or more runs as fast as here.
    expect(scaledDurationMs(10, 3_008)).toBe(10);
  });

  it('adds the assumed AWS round trips of each invocation to its billed duration, unscaled', () => {
    const heartbeat = rows({ heartbeat: { writes: 1 } }).find(
      (candidate) => candidate.message === 'heartbeat',
    )!;
    expect(lambdaDurationMs(heartbeat, 256)).toBeCloseTo(
      1 * (1_769 / 256) + AWS_LATENCY_MS.dynamodbRequest,
      6,
    );
    const auth = { ...heartbeat, reads: 1, writes: 0, transactions: 1, iotPublishes: 1 };
    expect(lambdaDurationMs(auth, 1_769)).toBe(
      1 + AWS_LATENCY_MS.dynamodbRequest + AWS_LATENCY_MS.dynamodbTransaction + AWS_LATENCY_MS.publish,
    );
  });

  it('prices the log lines each invocation writes, and the platform lines only below system level WARN', () => {
    const quiet = costPerChargerMonth(rows(), DEFAULT_ASSUMPTIONS, 256);
    expect(DEFAULT_ASSUMPTIONS.systemLogLevel).toBe('WARN');
    expect(line(quiet, 'CloudWatch Logs').quantity).toBe(0);
    const logging = costPerChargerMonth(
      rows({ heartbeat: { logBytes: 200, logEvents: 1 } }),
      DEFAULT_ASSUMPTIONS,
      256,
    );
    expect(line(logging, 'CloudWatch Logs').quantity * 2 ** 20).toBeCloseTo(
      WRITTEN_HEARTBEATS * (200 + 26),
      3,
    );
    expect(line(logging, 'CloudWatch Logs').usd).toBeCloseTo(
      ((WRITTEN_HEARTBEATS * 226) / 2 ** 30) * PRICES.logsIngestionPerGb,
      12,
    );
    const info = costPerChargerMonth(rows(), { ...DEFAULT_ASSUMPTIONS, systemLogLevel: 'INFO' }, 256);
    const invocations = line(info, 'Lambda requests').quantity;
    expect(line(info, 'CloudWatch Logs').quantity * 2 ** 20).toBeCloseTo(
      invocations * (PLATFORM_LOG_BYTES_AT_INFO + 2 * 26),
      3,
    );
  });

  it('reports an hourly-heartbeat variant', () => {
    const result = costWithOptions(rows({ heartbeat: { wcu: 1 } }));
    const hourly = result.options.find((option) => option.option.startsWith('hourly heartbeats'))!;
    expect(hourly.totalUsd).toBeLessThan(result.totalUsd);
  });

  it('Basic Ingest (the deploy default) removes the messaging charge of heartbeats and meter readings only', () => {
    expect(DEFAULT_ASSUMPTIONS.basicIngest).toBe(true);
    const result = costWithOptions(rows());
    expect(line(result, 'IoT messaging').quantity).toBe(11_820 - 8_640 - 2_880);
    const option = result.options.find((candidate) => candidate.option.startsWith('Basic Ingest off'))!;
    expect(option.totalUsd).toBeGreaterThan(result.totalUsd);
  });

  it("reads the Lambda memory from serverless.common.yml, and a function's own memorySize over it", () => {
    expect(configuredMemoryMb()).toBe(256);
    expect(configuredMemoryMb('heartbeat.heartbeat')).toBe(256);
  });
});
