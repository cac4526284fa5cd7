import type { KinesisSubscription } from '../config/model.js';
import type { InvocationOutcome } from '../lambda/function-worker.js';
import {
  type KinesisLambdaEvent,
  lambdaKinesisRecord,
  type TumblingWindow,
  tumblingWindow,
  windowStartOf,
} from './lambda-event.js';
import type { ShardReader, StoredKinesisRecord } from './stream-store.js';

/** Why Lambda gave up on records: the `condition` of its on-failure record. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** Records the mapping gave up on (possibly none: a window's final invoke), for the on-failure destination. */
export interface DiscardedBatch {
  condition: DiscardCondition;
  records: StoredKinesisRecord[];
  /** Invocations made with these records (approximateInvokeCount); 0 when they expired unread. */
  attempts: number;
  reason: string;
  /** The last invocation failed, rather than reporting failed items (responseContext.functionError). */
  functionFailed: boolean;
  /** The window whose final invoke never succeeded: its state is dropped. */
  window?: TumblingWindow;
  firstFailureAt: string;
  lastFailureAt: string;
}

export interface KinesisPollerOptions {
  subscription: KinesisSubscription;
  reader: ShardReader;
  invokeIdentityArn: string;
  invoke: (event: KinesisLambdaEvent) => Promise<InvocationOutcome>;
  onDiscard: (discarded: DiscardedBatch) => void;
  /** The clock arrivals were stamped with (the store's). */
  now?: () => number;
  /** Wait before a retry or a bisected half; default 100 ms. */
  retryDelayMs?: number;
  /** Longest idle wait between looks at the shard when nothing is due (a put wakes the poller sooner). */
  idleMs?: number;
}

/** What one look at the shard did: invoked the function, or found nothing due before `nextDueAt`. */
export type PollResult = { invoked: true } | { invoked: false; nextDueAt?: number };

interface Batch {
  records: StoredKinesisRecord[];
  window?: { startMs: number; bounds: TumblingWindow };
  final: boolean;
  terminatedEarly: boolean;
}

interface OpenWindow {
  startMs: number;
  bounds: TumblingWindow;
  /** The state the last successful invocation returned. */
  state: Record<string, unknown>;
  /** Over Lambda's 1 MB: the window is terminated early at the next look. */
  stateTooLarge: boolean;
}

// Lambda's limits: a synchronous invocation's payload, and a tumbling window's state per shard.
const maxPayloadBytes = 6 * 1024 * 1024;
const maxStateBytes = 1024 * 1024;
// A record's event fields around its base64 data, roughly.
const recordOverheadBytes = 512;

/**
 * One Kinesis event source mapping on one shard, as Lambda runs it: batches by batchSize/batchWindow (and the 6 MB
 * payload), tumbling windows with their state, ReportBatchItemFailures, bisect on function error, retries, record
 * age, and the on-failure destination. One batch at a time, in sequence order (so in order per partition key).
 */
export class KinesisEventSourcePoller {
  private window: OpenWindow | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A put came while the poller was busy: look again before waiting. */
  private nudged = false;
  private readonly now: () => number;
  private readonly windowMs: number;

  constructor(private readonly options: KinesisPollerOptions) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.subscription.tumblingWindowSeconds * 1000;
  }

  /** Runs until stop(); `nudge()` (a put on the stream) wakes it early. */
  start(): void {
    this.loop = this.run();
  }

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** One look at the shard: invokes the function for whatever is due (with its retries), else says when to look again. */
  async pollOnce(): Promise<PollResult> {
    const now = this.now();
    const pending = this.withoutExpired(this.options.reader.pending(), now);
    const open = this.window;
    if (open?.stateTooLarge) {
      await this.deliver({ records: [], window: open, final: true, terminatedEarly: true }, 0);
      return { invoked: true };
    }
    const first = pending[0];
    const firstInOpenWindow = first !== undefined && this.windowStart(first) === open?.startMs;
    // A window that has ended with none of its records left: its final invoke carries only the state.
    if (open && now >= Date.parse(open.bounds.end) && !firstInOpenWindow) {
      await this.deliver({ records: [], window: open, final: true, terminatedEarly: false }, 0);
      return { invoked: true };
    }
    if (!first) return { invoked: false, ...(open ? { nextDueAt: Date.parse(open.bounds.end) } : {}) };
    const batch = this.nextBatch(pending, now);
    const dueAt = this.dueAt(batch, pending, now);
    if (dueAt > now) return { invoked: false, nextDueAt: dueAt };
    await this.deliver(batch, 0);
    return { invoked: true };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.nudged = false;
      const result = await this.pollOnce().catch(() => ({ invoked: false as const, nextDueAt: undefined }));
      if (result.invoked || this.stopped || this.nudged) continue;
      const idleMs = this.options.idleMs ?? 1000;
      const waitMs = Math.min(
        idleMs,
        Math.max(1, (result.nextDueAt ?? Number.POSITIVE_INFINITY) - this.now()),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private windowStart(record: StoredKinesisRecord): number | undefined {
    return this.windowMs > 0 ? windowStartOf(record.arrivedAt, this.windowMs) : undefined;
  }

  /** The next batch from the oldest pending record: one window's records at most, within batchSize and 6 MB. */
  private nextBatch(pending: readonly StoredKinesisRecord[], now: number): Batch {
    const { batchSize } = this.options.subscription;
    const first = pending[0] as StoredKinesisRecord;
    const startMs = this.windowStart(first);
    const records: StoredKinesisRecord[] = [];
    let bytes = 0;
    for (const record of pending) {
      const size = Math.ceil(record.data.length / 3) * 4 + recordOverheadBytes;
      if (records.length >= batchSize || this.windowStart(record) !== startMs) break;
      if (records.length > 0 && bytes + size > maxPayloadBytes) break;
      records.push(record);
      bytes += size;
    }
    if (startMs === undefined) return { records, final: false, terminatedEarly: false };
    const bounds = tumblingWindow(startMs, this.windowMs);
    const next = pending[records.length];
    // Records are stamped on arrival, so once a window has ended none can join it: the last batch is final.
    const lastOfWindow = now >= startMs + this.windowMs && (!next || this.windowStart(next) !== startMs);
    return { records, window: { startMs, bounds }, final: lastOfWindow, terminatedEarly: false };
  }

  /** When the batch is due: full (by count or size), its window ended, or its oldest record waited batchWindow. */
  private dueAt(batch: Batch, pending: readonly StoredKinesisRecord[], now: number): number {
    const { batchSize, batchingWindowMs } = this.options.subscription;
    const first = batch.records[0] as StoredKinesisRecord;
    const cutShort = batch.records.length < pending.length; // by count, size or the window's end
    if (batch.records.length >= batchSize || cutShort || batch.final) return now;
    const gathered = first.arrivedAt + batchingWindowMs;
    return batch.window ? Math.min(gathered, batch.window.startMs + this.windowMs) : gathered;
  }

  /** Records older than maximumRecordAgeInSeconds are never invoked: they go to the on-failure destination. */
  private withoutExpired(
    records: readonly StoredKinesisRecord[],
    now: number,
  ): readonly StoredKinesisRecord[] {
    const { maximumRecordAgeSeconds } = this.options.subscription;
    if (maximumRecordAgeSeconds === undefined) return records;
    const expired = records.findIndex((record) => now - record.arrivedAt <= maximumRecordAgeSeconds * 1000);
    const count = expired < 0 ? records.length : expired;
    if (count === 0) return records;
    const at = new Date(now).toISOString();
    this.discard({
      condition: 'RecordAgeExceeded',
      records: records.slice(0, count),
      attempts: 0,
      reason: `older than maximumRecordAgeInSeconds (${maximumRecordAgeSeconds})`,
      functionFailed: false,
      firstFailureAt: at,
      lastFailureAt: at,
    });
    return records.slice(count);
  }

  /**
   * Invokes with the batch and deals with the outcome: success commits the state and checkpoints; a function error
   * bisects (without using a retry, as AWS documents) or retries; reported item failures checkpoint before the first
   * one and retry from it, with the state the failed invocation was given; retries exhausted discard what is left.
   */
  private async deliver(batch: Batch, retriesUsed: number, firstFailureAt?: string): Promise<void> {
    if (this.stopped) return;
    const { subscription } = this.options;
    const now = this.now();
    // A retried batch is looked at again: records that grew too old meanwhile are not invoked again.
    const unexpired = firstFailureAt !== undefined ? this.withoutExpired(batch.records, now) : batch.records;
    // Retried records that expired are gone; a final invoke still runs for their window.
    if (unexpired.length === 0 && batch.records.length > 0 && !batch.final) return;
    const current = { ...batch, records: [...unexpired] };
    const given = current.window ? this.stateFor(current.window.startMs) : undefined;
    const outcome = await this.options.invoke(this.eventFor(current, given));
    const verdict = judge(outcome, current.records, subscription, given !== undefined);
    if (!verdict) {
      this.commit(current, outcome.ok ? outcome.result : undefined);
      return;
    }
    const done = current.records.slice(0, verdict.failedFrom).at(-1);
    if (done) this.options.reader.checkpoint(done.sequenceNumber);
    const remaining = { ...current, records: current.records.slice(verdict.failedFrom) };
    const failedAt = new Date(this.now()).toISOString();
    const since = firstFailureAt ?? failedAt;
    if (verdict.functionError && subscription.bisectBatchOnFunctionError && remaining.records.length > 1) {
      const middle = Math.ceil(remaining.records.length / 2);
      await this.pause();
      await this.deliver(
        { ...remaining, records: remaining.records.slice(0, middle), final: false },
        retriesUsed,
        since,
      );
      await this.deliver({ ...remaining, records: remaining.records.slice(middle) }, retriesUsed, since);
      return;
    }
    if (retriesUsed >= subscription.maximumRetryAttempts) {
      this.discard({
        condition: 'RetryAttemptsExhausted',
        records: remaining.records,
        attempts: retriesUsed + 1,
        reason: verdict.reason,
        functionFailed: verdict.functionError,
        ...(remaining.final && remaining.window ? { window: remaining.window.bounds } : {}),
        firstFailureAt: since,
        lastFailureAt: failedAt,
      });
      // A final invoke that never succeeds drops the window's state (AWS would hold the shard until it does).
      if (remaining.final) this.window = undefined;
      return;
    }
    await this.pause();
    await this.deliver(remaining, retriesUsed + 1, since);
  }

  private stateFor(windowStartMs: number): Record<string, unknown> {
    return this.window?.startMs === windowStartMs ? this.window.state : {};
  }

  private eventFor(batch: Batch, state: Record<string, unknown> | undefined): KinesisLambdaEvent {
    const { reader, invokeIdentityArn } = this.options;
    const source = { shardId: reader.shardId, streamArn: reader.streamArn, invokeIdentityArn };
    const Records = batch.records.map((record) => lambdaKinesisRecord(record, source));
    if (!batch.window) return { Records };
    return {
      Records,
      window: batch.window.bounds,
      state: state ?? {},
      shardId: reader.shardId,
      eventSourceARN: reader.streamArn,
      isFinalInvokeForWindow: batch.final,
      isWindowTerminatedEarly: batch.terminatedEarly,
    };
  }

  private commit(batch: Batch, result: unknown): void {
    const last = batch.records.at(-1);
    if (last) this.options.reader.checkpoint(last.sequenceNumber);
    if (!batch.window) return;
    const { startMs, bounds } = batch.window;
    if (batch.final) {
      // Terminated early, the window goes on with a fresh state; at its end, its state is deleted.
      this.window = batch.terminatedEarly ? { startMs, bounds, state: {}, stateTooLarge: false } : undefined;
      return;
    }
    const state = (result as { state: Record<string, unknown> }).state;
    const stateTooLarge = Buffer.byteLength(JSON.stringify(state)) > maxStateBytes;
    this.window = { startMs, bounds, state, stateTooLarge };
  }

  private discard(discarded: DiscardedBatch): void {
    const last = discarded.records.at(-1);
    if (last) this.options.reader.checkpoint(last.sequenceNumber);
    this.options.onDiscard(discarded);
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 100));
  }
}

interface FailureVerdict {
  /** Index of the first record to retry. */
  failedFrom: number;
  /** The invocation failed (bisect applies), rather than reporting failed items. */
  functionError: boolean;
  reason: string;
}

/** How Lambda reads an invocation's outcome; undefined is a complete success. */
export function judge(
  outcome: InvocationOutcome,
  records: readonly StoredKinesisRecord[],
  subscription: Pick<KinesisSubscription, 'reportBatchItemFailures'>,
  windowed: boolean,
): FailureVerdict | undefined {
  if (!outcome.ok) {
    const { errorType, errorMessage } = outcome.error;
    return { failedFrom: 0, functionError: true, reason: `${errorType}: ${errorMessage}` };
  }
  const result = outcome.result as { state?: unknown; batchItemFailures?: unknown } | null | undefined;
  // With a tumbling window, a response without a state is a failed invocation.
  if (windowed && (typeof result?.state !== 'object' || result.state === null || Array.isArray(result.state)))
    return { failedFrom: 0, functionError: true, reason: 'a tumbling window response must hold a state' };
  const failures = result?.batchItemFailures;
  if (!subscription.reportBatchItemFailures || !Array.isArray(failures) || failures.length === 0)
    return undefined;
  let earliest = records.length;
  for (const failure of failures as { itemIdentifier?: unknown }[]) {
    const index = records.findIndex((record) => record.sequenceNumber === failure?.itemIdentifier);
    // An identifier that is empty, missing or matches no record fails the whole batch.
    earliest = Math.min(earliest, Math.max(index, 0));
  }
  return {
    failedFrom: earliest,
    functionError: false,
    reason: `batch item failure at ${records[earliest]?.sequenceNumber ?? 'an empty batch'}`,
  };
}
