import { describe, expect, it } from '@jest/globals';
import type { LogFields } from '../../src/log.js';
import { logProcessMetrics } from '../../src/metrics.js';

describe('gateway metrics', () => {
  it('logs the chargers held, event-loop delay, GC pauses and memory once per interval', async () => {
    const lines: { message: string; fields: LogFields }[] = [];
    const record = (message: string, fields: LogFields = {}) => lines.push({ message, fields });
    const metrics = logProcessMetrics({ info: record, warn: record, error: record }, () => 3, 30);
    await new Promise((resolve) => setTimeout(resolve, 100));
    metrics.stop();
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toEqual({
      message: 'gateway metrics',
      fields: {
        connectedChargers: 3,
        eventLoopDelayMs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
        gcPauses: { count: expect.any(Number), totalMs: expect.any(Number), maxMs: expect.any(Number) },
        rssMb: expect.any(Number),
        heapUsedMb: expect.any(Number),
      },
    });
  });
});
