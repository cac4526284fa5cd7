import { describe, expect, it } from '@jest/globals';
import {
  configuredMemoryMb,
  costPerChargerMonth,
  costWithOptions,
  DEFAULT_ASSUMPTIONS,
} from '../../src/cost.js';
import type { OpsRow } from '../../src/dynamo-ops.js';
import { PRICES } from '../../src/prices.js';

const messages = [
  'heartbeat',
  'heartbeat (throttled, < 30 s)',
  'meter (in session)',
  'meter (no session)',
  'auth (Accepted)',
  'plug (plugged → Charging)',
  'plug (unplugged → Completed)',
  'presence (connected)',
  'notification (session.completed)',
  'offline sweeper run (nothing due)',
  'session-expiry sweeper run (nothing due)',
  'meter-request sweeper run (nothing due)',
];

function rows(overrides: Record<string, Partial<OpsRow>> = {}): OpsRow[] {
  return messages.map((message) => ({
    message,
    invocations: 1,
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
    ...overrides[message],
  }));
}

const line = (result: ReturnType<typeof costPerChargerMonth>, prefix: string) =>
  result.lines.find((candidate) => candidate.line.startsWith(prefix))!;

describe('cost per charger-month', () => {
  it('counts one IoT message per device message and auth response at the default intervals', () => {
    const result = costPerChargerMonth(rows(), DEFAULT_ASSUMPTIONS, 256);
    // 8,640 heartbeats + 2,880 readings + 30 × (auth, response, 2 plugs) + 60 lifecycle events
    expect(line(result, 'IoT messaging').quantity).toBe(11_700);
    expect(line(result, 'IoT messaging').usd).toBeCloseTo(11_700 * 1e-6 * PRICES.iotMessagesPerMillion, 10);
    expect(line(result, 'IoT rules triggered').quantity).toBe(11_670);
    expect(line(result, 'IoT connectivity').quantity).toBe(43_200);
  });

  it('prices DynamoDB write units from the measured WCU per message', () => {
    const withHeartbeatWrites = costPerChargerMonth(
      rows({ heartbeat: { wcu: 3 } }),
      DEFAULT_ASSUMPTIONS,
      256,
    );
    expect(line(withHeartbeatWrites, 'DynamoDB writes').quantity).toBeCloseTo(8_640 * 3, 6);
    expect(line(withHeartbeatWrites, 'DynamoDB writes').usd).toBeCloseTo(8_640 * 3 * 0.625e-6, 10);
  });

  it('bills Lambda duration in whole milliseconds at the configured memory', () => {
    const slow = costPerChargerMonth(rows({ heartbeat: { durationMs: 9.2 } }), DEFAULT_ASSUMPTIONS, 256);
    const fast = costPerChargerMonth(rows(), DEFAULT_ASSUMPTIONS, 256);
    const extraGbS = line(slow, 'Lambda duration').quantity - line(fast, 'Lambda duration').quantity;
    expect(extraGbS).toBeCloseTo(8_640 * (10 - 1) * 0.001 * 0.25, 6);
  });

  it('Basic Ingest removes the messaging charge of heartbeats and meter readings only', () => {
    const result = costWithOptions(rows());
    const basic = costPerChargerMonth(rows(), { ...DEFAULT_ASSUMPTIONS, basicIngest: true }, 256);
    expect(line(basic, 'IoT messaging').quantity).toBe(11_700 - 8_640 - 2_880);
    expect(result.options[0]!.totalUsd).toBeLessThan(result.totalUsd);
  });

  it('reads the Lambda memory from serverless.common.yml', () => {
    expect(configuredMemoryMb()).toBe(256);
  });
});
