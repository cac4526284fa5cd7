import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TransientError } from '@evcharge/domain';
import type { TableContext } from './table-context.js';

// The one read–decide–write loop every service runs against shared items: one write per attempt, a failed
// condition hands the items as they stood back to the caller, a conflict backs off with full jitter.

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

export interface RetryOptions {
  /** Attempts (reads + writes) before a TransientError, lost races and conflicts together. */
  maxAttempts?: number;
  /** Base of the exponential back-off after a TransactionConflict; full jitter, capped at 1 s. */
  backoffBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A write whose condition failed, and the item as that condition saw it (undefined: there was none). */
export interface FailedCondition {
  index: number;
  item: Record<string, unknown> | undefined;
}

export interface TransactionPlan<Result> {
  /** One item is written as a single conditional Put or Update (half a transaction's cost); more as one transaction. */
  items: TransactItems;
  /** What the attempt answers once the items are written. */
  result: Result;
  /**
   * A condition failed: finish with `{ done }`, throw (bad input, a bug), or return 'reread' to run the step
   * again against fresh state. Without it every failed condition re-reads.
   */
  conditionFailed?: (failed: FailedCondition[]) => { done: Result } | 'reread';
}

/** One attempt: read, decide, and either answer without writing or say what to write. */
export type TransactionStep<Result> = (
  attempt: number,
) => Promise<{ done: Result } | TransactionPlan<Result>> | { done: Result } | TransactionPlan<Result>;

const DEFAULT_MAX_ATTEMPTS = 12;
const DEFAULT_BACKOFF_BASE_MS = 20;
const MAX_BACKOFF_MS = 1000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step` until what it plans is written or it answers without writing. `what` names the work in the
 * TransientError thrown after `maxAttempts` (Lambda then retries the message).
 */
export async function transact<Result>(
  table: TableContext,
  what: string,
  step: TransactionStep<Result>,
  options: RetryOptions = {},
): Promise<Result> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const planned = await step(attempt);
    if ('done' in planned) return planned.done;
    const outcome = await writeItems(table, planned.items);
    if (outcome === 'committed') return planned.result;
    if (outcome === 'conflict') {
      if (attempt < maxAttempts)
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, backoffBaseMs * 2 ** attempt));
      continue;
    }
    const next = planned.conditionFailed?.(outcome) ?? 'reread';
    if (next !== 'reread') return next.done;
  }
  throw new TransientError(`${what} still racing after ${maxAttempts} attempts`);
}

type WriteOutcome = 'committed' | 'conflict' | FailedCondition[];

async function writeItems(table: TableContext, items: TransactItems): Promise<WriteOutcome> {
  const [only] = items;
  try {
    if (items.length === 1 && only?.Put) await table.client.send(new PutCommand(only.Put));
    else if (items.length === 1 && only?.Update) await table.client.send(new UpdateCommand(only.Update));
    else await table.client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'committed';
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      return [{ index: 0, item: plainItem((error as { Item?: Record<string, AttributeValue> }).Item) }];
    }
    const reasons = cancellationReasonsOf(error);
    const failed = reasons.flatMap((reason, index) =>
      reason.Code === 'ConditionalCheckFailed' ? [{ index, item: plainItem(reason.Item) }] : [],
    );
    if (failed.length > 0) return failed;
    if (
      reasons.some((reason) => reason.Code === 'TransactionConflict') ||
      isNamed(error, 'TransactionConflictException')
    )
      return 'conflict';
    throw error;
  }
}

/** The item a failed condition returned (ReturnValuesOnConditionCheckFailure: ALL_OLD); the document client leaves errors marshalled. */
function plainItem(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item && Object.keys(item).length > 0 ? unmarshall(item) : undefined;
}

/** The old item of a single conditional write that failed, or undefined when there was none. */
export function conditionFailedItem(error: unknown): Record<string, unknown> | undefined {
  return plainItem((error as { Item?: Record<string, AttributeValue> }).Item);
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

export function isConditionalCheckFailed(error: unknown): boolean {
  return isNamed(error, 'ConditionalCheckFailedException');
}

function cancellationReasonsOf(error: unknown): { Code?: string; Item?: Record<string, AttributeValue> }[] {
  if (!isNamed(error, 'TransactionCanceledException')) return [];
  return (
    (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] })
      .CancellationReasons ?? []
  );
}

/** The code of each item of a cancelled transaction, by position ('None' for an item that did not fail). */
export function cancellationReasons(error: unknown): string[] {
  return cancellationReasonsOf(error).map((reason) => reason.Code ?? 'None');
}
