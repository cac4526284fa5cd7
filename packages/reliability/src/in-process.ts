import { randomUUID } from 'node:crypto';
import type { LocalCloud } from '@evcharge/local-cloud';

export type LocalFunction = LocalCloud['functions'][number];
type Handler = (event: unknown, context: object) => Promise<unknown>;

/** What Lambda Invoke (RequestResponse) reports (the same shape as the redrive CLI's Invoke). */
export interface InvokeResult {
  functionError?: string;
  payload: unknown;
}

/**
 * Runs the real handlers in this process, each imported once with its function's environment (module-scope
 * config reads it at import, as on Lambda). Imports are sequential: the environment is process-wide.
 */
export class InProcessFunctions {
  private readonly handlers = new Map<string, Handler>();
  private loading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly functions: LocalFunction[],
    private readonly env: Record<string, string>,
  ) {}

  find(nameOrId: string): LocalFunction {
    const fn = this.functions.find(
      (f) => f.functionName === nameOrId || f.id === nameOrId || f.name === nameOrId,
    );
    if (!fn) throw new Error(`no function ${nameOrId}`);
    return fn;
  }

  async handler(nameOrId: string): Promise<Handler> {
    const fn = this.find(nameOrId);
    const loaded = this.handlers.get(fn.id);
    if (loaded) return loaded;
    const load = this.loading.then(async () => {
      const existing = this.handlers.get(fn.id);
      if (existing) return existing;
      Object.assign(process.env, fn.environment, this.env, { AWS_LAMBDA_FUNCTION_NAME: fn.functionName });
      const module = (await import(fn.handlerFile)) as Record<string, Handler>;
      const handler = module[fn.handlerExport];
      if (!handler) throw new Error(`${fn.handlerFile} has no export ${fn.handlerExport}`);
      this.handlers.set(fn.id, handler);
      return handler;
    });
    this.loading = load.catch(() => undefined);
    return load;
  }

  /** Lambda Invoke (RequestResponse) semantics: a thrown error becomes functionError, as the Invoke API reports it. */
  async invoke(nameOrId: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(nameOrId);
    const handler = await this.handler(fn.id);
    const context = {
      functionName: fn.functionName,
      functionVersion: '$LATEST',
      awsRequestId: randomUUID(),
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn.functionName}`,
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => fn.timeoutMs,
    };
    try {
      return { payload: await handler(event, context) };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      return { functionError: 'Unhandled', payload: { errorType: err.name, errorMessage: err.message } };
    }
  }
}
