import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { LocalFunction } from '../config/model.js';

export interface InvocationError {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

export type InvocationOutcome = { ok: true; result: unknown } | { ok: false; error: InvocationError };

export interface FunctionWorkerOptions {
  /** Injected on top of the function's own environment (local endpoints, credentials, region). */
  injectedEnv: Record<string, string>;
  /** Where the function's stdout/stderr go; discarded when absent. */
  log?: Writable;
}

type WorkerReply =
  | { type: 'loaded'; ok: boolean; error?: InvocationError }
  | ({ type: 'result'; id: string } & InvocationOutcome);

/** One function in its own worker thread; invocations run concurrently inside it, like warm instances. */
export class FunctionWorker {
  private worker: Worker | undefined;
  /** The bundle the worker imports (set by `load`); a respawned worker imports the same. */
  private moduleFile: string | undefined;
  private readonly pending = new Map<string, (outcome: InvocationOutcome) => void>();
  private stopped = false;

  constructor(
    readonly fn: LocalFunction,
    private readonly options: FunctionWorkerOptions,
  ) {}

  /**
   * Starts the worker on the function's bundle and imports it once, so that a module that cannot load fails
   * start-up, not the first message.
   */
  async load(moduleFile: string): Promise<void> {
    this.moduleFile = moduleFile;
    const worker = this.spawn();
    this.worker = worker;
    const reply = await new Promise<WorkerReply>((resolve) => {
      const onMessage = (message: WorkerReply) => {
        if (message.type !== 'loaded') return;
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) =>
        resolve({
          type: 'loaded',
          ok: false,
          error: { errorType: 'Runtime.ExitError', errorMessage: `exit ${code}` },
        }),
      );
      worker.postMessage({ type: 'load' });
    });
    if (reply.type === 'loaded' && !reply.ok)
      throw new Error(`${this.fn.id}: cannot load ${moduleFile}: ${reply.error?.errorMessage}`);
  }

  invoke(event: unknown): Promise<InvocationOutcome> {
    const worker = this.worker;
    if (this.stopped || !worker)
      return Promise.resolve({
        ok: false,
        error: { errorType: 'Runtime.Stopped', errorMessage: 'local cloud stopped' },
      });
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.fn.timeoutMs / 1000} seconds`,
          },
        });
      }, this.fn.timeoutMs);
      this.pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      worker.postMessage({ type: 'invoke', id, requestId: id, event, timeoutMs: this.fn.timeoutMs });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.terminate();
  }

  private spawn(): Worker {
    const { fn, options } = this;
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: {
        moduleFile: this.moduleFile,
        handlerExport: fn.handlerExport,
        functionName: fn.functionName,
        memorySizeMb: 256,
      },
      env: {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        ...fn.environment,
        ...options.injectedEnv,
      },
      stdout: true,
      stderr: true,
    });
    if (options.log) {
      worker.stdout.pipe(options.log, { end: false });
      worker.stderr.pipe(options.log, { end: false });
    } else {
      worker.stdout.resume();
      worker.stderr.resume();
    }
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'result') return;
      const resolve = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      resolve?.(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error });
    });
    let crash: InvocationError | undefined;
    worker.on('error', (error) => {
      crash = { errorType: 'Runtime.UnhandledError', errorMessage: error.message };
    });
    worker.on('exit', (code) => {
      // Like a crashed Lambda instance: in-flight invocations fail, the next one gets a fresh (cold) worker.
      const error = crash ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: `worker exited with code ${code}`,
      };
      for (const resolve of this.pending.values()) resolve({ ok: false, error });
      this.pending.clear();
      if (!this.stopped && this.worker === worker) this.worker = this.spawn();
    });
    return worker;
  }
}
