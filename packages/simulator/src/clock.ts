/**
 * The fleet's two clocks. Schedules (intervals, session lengths, idle gaps) are simulated durations that run
 * `timeFactor` times faster in real time. Device time is the real wall clock (`now`), and so is physics: a
 * register rises by power × elapsed device time, so no reading is faster than its connector at any factor
 * (README "Time": the cloud's receive times, skew check, expiries and lifecycle events are all real time).
 */
export class ScaledClock {
  constructor(
    readonly timeFactor: number,
    /** The device clock, epoch ms (tests inject one). */
    readonly now: () => number = () => Date.now(),
  ) {
    if (!(timeFactor > 0) || !Number.isFinite(timeFactor)) throw new RangeError('timeFactor must be > 0');
  }

  realMs(simulatedMs: number): number {
    return simulatedMs / this.timeFactor;
  }

  simulatedMs(realMs: number): number {
    return realMs * this.timeFactor;
  }

  /** Waits a simulated duration; resolves false early when the signal aborts. */
  sleep(simulatedMs: number, signal: AbortSignal): Promise<boolean> {
    return this.sleepReal(this.realMs(simulatedMs), signal);
  }

  /** Waits a device-time (real) duration, e.g. an injected episode's length; false early when the signal aborts. */
  sleepReal(realMs: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, realMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
