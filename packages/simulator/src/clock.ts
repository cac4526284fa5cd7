/** Simulated durations run `timeFactor` times faster in real time; device timestamps stay real. */
export class ScaledClock {
  constructor(readonly timeFactor: number) {
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
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, this.realMs(simulatedMs));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
