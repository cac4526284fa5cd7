import type { Writable } from 'node:stream';
import type { LocalFunction } from '../config/model.js';
import type { DeadLetterStore } from '../state/dead-letters.js';
import type { CloudStats } from '../state/stats.js';
import { bundleFunction } from './bundles.js';
import { FunctionWorker, type InvocationOutcome } from './function-worker.js';

export interface LambdaRuntimeOptions {
  functions: LocalFunction[];
  injectedEnv: Record<string, string>;
  deadLetters: DeadLetterStore;
  stats: CloudStats;
  /** Delay before async retry n (1-based); AWS waits about 1 then 2 minutes, locally it is short. */
  retryDelayMs?: (attempt: number) => number;
  logFor?: (fn: LocalFunction) => Writable | undefined;
}

/** Runs functions: synchronous invokes (streams, HTTP) and asynchronous ones with Lambda's retries and on-failure. */
export class LambdaRuntime {
  private readonly workers = new Map<string, FunctionWorker>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: LambdaRuntimeOptions) {
    for (const fn of options.functions) {
      const log = options.logFor?.(fn);
      this.workers.set(
        fn.id,
        new FunctionWorker(fn, { injectedEnv: options.injectedEnv, ...(log ? { log } : {}) }),
      );
    }
  }

  /**
   * Bundles (or finds cached) every function and starts its worker; one that cannot build fails start-up. By
   * default it also waits until every worker imported its bundle (one that cannot load fails start-up);
   * `importAfter` starts the imports only once it settles (the cloud is ready), like Lambda's init on the
   * first invocation, which then waits for it (a function that cannot load fails its invocations and is
   * logged). `loaded` settles when every import has.
   */
  async load(
    options: { importAfter?: Promise<unknown>; onLoadError?: (error: Error) => void } = {},
  ): Promise<{
    built: number;
    cached: number;
    loaded: Promise<void>;
  }> {
    const bundles = await Promise.all(
      [...this.workers.values()].map(async (worker) => ({ worker, bundle: await bundleFunction(worker.fn) })),
    );
    const importAll = () => bundles.map(({ worker, bundle }) => worker.load(bundle.file));
    const { importAfter } = options;
    const loaded = importAfter
      ? importAfter.then(() =>
          Promise.allSettled(importAll()).then((results) => {
            for (const result of results)
              if (result.status === 'rejected') options.onLoadError?.(result.reason as Error);
          }),
        )
      : Promise.all(importAll()).then(() => undefined);
    if (!importAfter) await loaded;
    const cached = bundles.filter(({ bundle }) => bundle.cached).length;
    return { built: bundles.length - cached, cached, loaded };
  }

  functionFor(id: string): LocalFunction {
    const worker = this.workers.get(id);
    if (!worker) throw new Error(`no local function ${id}`);
    return worker.fn;
  }

  async invoke(functionId: string, event: unknown): Promise<InvocationOutcome> {
    const worker = this.workers.get(functionId);
    if (!worker)
      return { ok: false, error: { errorType: 'ResourceNotFoundException', errorMessage: functionId } };
    const outcome = await worker.invoke(event);
    this.options.stats.countInvocation(functionId, !outcome.ok);
    return outcome;
  }

  /** Event-type invoke: returns at once; retries on error, then the on-failure destination keeps the event. */
  invokeAsync(functionId: string, event: unknown): void {
    const run = this.runAsync(functionId, event).finally(() => {
      this.options.stats.countSettledAsyncEvent(functionId);
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
  }

  /** Waits for in-flight async invocations (and their retries) to settle. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(Math.max(0, deadline - Date.now()))]);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }

  private async runAsync(functionId: string, event: unknown): Promise<void> {
    const fn = this.workers.get(functionId)?.fn;
    const maxAttempts = 1 + (fn?.maximumRetryAttempts ?? 2);
    let firstFailureAt: string | undefined;
    let lastError = '';
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      attempts = attempt;
      const outcome = await this.invoke(functionId, event);
      if (outcome.ok) return;
      firstFailureAt ??= new Date().toISOString();
      lastError = `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
      if (attempt < maxAttempts) await sleep(this.options.retryDelayMs?.(attempt) ?? 200 * attempt);
    }
    if (this.stopped && attempts < maxAttempts) return;
    const lastFailureAt = new Date().toISOString();
    const queue = fn?.onFailureQueue ?? `${fn?.service ?? 'unknown'}-lambda-async-failures`;
    // The body is Lambda's on-failure destination record.
    const body = {
      version: '1.0',
      timestamp: lastFailureAt,
      requestContext: {
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn?.functionName}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: lastError },
    };
    this.options.deadLetters.add({
      queue,
      source: 'async-on-failure',
      functionId,
      reason: lastError,
      payload: event,
      attempts,
      lastFailureAt,
      ...(firstFailureAt ? { firstFailureAt } : {}),
      body: JSON.stringify(body),
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
