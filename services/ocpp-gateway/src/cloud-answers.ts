import type { CloudTopicKind } from '@evcharge/domain';

// The cloud's answers a charger's CALL waits for, matched by the contract requestId the gateway derived.

type Waiter = (payload: unknown) => void;

export class CloudAnswers {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** Registers before publishing, so an answer faster than the PUBACK is not missed. */
  expect<T>(kind: CloudTopicKind, requestId: string): { answer: Promise<T>; cancel: () => void } {
    const key = `${kind}#${requestId}`;
    let waiter: Waiter = () => undefined;
    const answer = new Promise<T>((resolve) => {
      waiter = (payload) => resolve(payload as T);
    });
    const set = this.waiters.get(key) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(key, set);
    const cancel = () => {
      set.delete(waiter);
      if (set.size === 0) this.waiters.delete(key);
    };
    return { answer, cancel };
  }

  /** True when someone was waiting for it. */
  deliver(kind: CloudTopicKind, payload: unknown): boolean {
    const requestId = (payload as { requestId?: unknown }).requestId;
    const key = `${kind}#${String(requestId)}`;
    const set = this.waiters.get(key);
    if (!set) return false;
    this.waiters.delete(key);
    for (const waiter of set) waiter(payload);
    return true;
  }

  pending(): number {
    return this.waiters.size;
  }
}

/** Resolves with the promise, or rejects with `onTimeout()` once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
