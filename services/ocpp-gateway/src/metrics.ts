import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from './log.js';

// The gateway process's own health, one JSON log line per interval: how many chargers it holds, how late its
// event loop ran (a late loop delays every charger's answers), how much of that was garbage collection, and its
// memory.

export interface ProcessMetrics {
  stop(): void;
}

export function logProcessMetrics(
  log: Logger,
  connectedChargers: () => number,
  intervalMs: number,
): ProcessMetrics {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcPauses.count++;
      gcPauses.totalMs += entry.duration;
      gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const ms = (nanoseconds: number) => Math.round(nanoseconds / 10_000) / 100;
  const timer = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    log.info('gateway metrics', {
      connectedChargers: connectedChargers(),
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      gcPauses: {
        count: gcPauses.count,
        totalMs: Math.round(gcPauses.totalMs),
        maxMs: Math.round(gcPauses.maxMs * 100) / 100,
      },
      rssMb: Math.round(rss / 2 ** 20),
      heapUsedMb: Math.round(heapUsed / 2 ** 20),
    });
    delay.reset();
    gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      gc.disconnect();
    },
  };
}
