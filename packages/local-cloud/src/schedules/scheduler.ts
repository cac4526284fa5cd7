import { randomUUID } from 'node:crypto';
import type { LocalFunction } from '../config/model.js';
import { parseSchedule } from './schedule-expression.js';

export interface SchedulerOptions {
  functions: LocalFunction[];
  /** Schedules run this many times faster than real time. */
  timeFactor: number;
  invokeAsync: (functionId: string, event: unknown) => void;
}

/** Runs `schedule` events on timers; each schedule keeps a virtual clock that runs timeFactor times faster. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: SchedulerOptions) {
    // Parse now, so that a bad expression fails start-up.
    for (const fn of options.functions)
      for (const schedule of fn.schedules) parseSchedule(schedule.expression);
  }

  start(): void {
    for (const fn of this.options.functions) {
      fn.schedules.forEach((config, index) => {
        const schedule = parseSchedule(config.expression);
        let virtualNow = Date.now();
        const arm = () => {
          const nextAt =
            schedule.kind === 'rate'
              ? virtualNow + schedule.periodMs
              : schedule.next(new Date(virtualNow)).getTime();
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              virtualNow = nextAt;
              this.options.invokeAsync(fn.id, config.input ?? scheduledEvent(fn, index, nextAt));
              arm();
            },
            Math.max(1, (nextAt - virtualNow) / this.options.timeFactor),
          );
          timer.unref();
          this.timers.add(timer);
        };
        arm();
      });
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function scheduledEvent(fn: LocalFunction, index: number, at: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${fn.functionName}-schedule-${index + 1}`],
    detail: {},
  };
}
