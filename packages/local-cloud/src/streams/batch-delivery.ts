import type { StreamSubscription } from '../config/model.js';
import type { InvocationOutcome } from '../lambda/function-worker.js';

/** A Lambda-shaped DynamoDB stream record (what DynamoDBStreamEvent.Records holds). */
export interface LambdaStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: { SequenceNumber?: string; ApproximateCreationDateTime?: number; [key: string]: unknown };
}

export interface FailedBatch {
  records: LambdaStreamRecord[];
  attempts: number;
  reason: string;
  firstFailureAt: string;
  lastFailureAt: string;
}

export interface BatchDeliveryDeps {
  invoke: (event: { Records: LambdaStreamRecord[] }) => Promise<InvocationOutcome>;
  onFailure: (failed: FailedBatch) => void;
  retryDelayMs: number;
  isStopped: () => boolean;
}

/**
 * Delivers one batch as Lambda's event source mapping does: on a function error, bisect (if enabled) and retry
 * each half; with ReportBatchItemFailures, retry from the first failed item; after maximumRetryAttempts the
 * remaining records go to the on-failure destination and the shard moves on. False when the cloud stopped
 * before the batch was done with, so its records are not taken as delivered.
 */
export async function deliverBatch(
  records: LambdaStreamRecord[],
  subscription: StreamSubscription,
  deps: BatchDeliveryDeps,
): Promise<boolean> {
  return deliver(records, 0, undefined, subscription, deps);
}

async function deliver(
  records: LambdaStreamRecord[],
  retriesUsed: number,
  firstFailureAt: string | undefined,
  subscription: StreamSubscription,
  deps: BatchDeliveryDeps,
): Promise<boolean> {
  if (records.length === 0) return true;
  if (deps.isStopped()) return false;
  const outcome = await deps.invoke({ Records: records });
  const failedFrom = outcome.ok ? firstFailedIndex(outcome.result, records, subscription) : 0;
  if (failedFrom === undefined) return true;
  const now = new Date().toISOString();
  const since = firstFailureAt ?? now;
  const remaining = records.slice(failedFrom);
  const reason = outcome.ok
    ? `batch item failure at ${remaining[0]?.dynamodb.SequenceNumber}`
    : `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
  if (retriesUsed >= subscription.maximumRetryAttempts) {
    deps.onFailure({
      records: remaining,
      attempts: retriesUsed + 1,
      reason,
      firstFailureAt: since,
      lastFailureAt: now,
    });
    return true;
  }
  await new Promise((resolve) => setTimeout(resolve, deps.retryDelayMs));
  if (!outcome.ok && subscription.bisectBatchOnFunctionError && remaining.length > 1) {
    const middle = Math.ceil(remaining.length / 2);
    const first = await deliver(remaining.slice(0, middle), retriesUsed + 1, since, subscription, deps);
    return first && deliver(remaining.slice(middle), retriesUsed + 1, since, subscription, deps);
  }
  return deliver(remaining, retriesUsed + 1, since, subscription, deps);
}

/** Index of the first record to retry, or undefined when the whole batch succeeded. */
function firstFailedIndex(
  result: unknown,
  records: LambdaStreamRecord[],
  subscription: StreamSubscription,
): number | undefined {
  if (!subscription.reportBatchItemFailures || typeof result !== 'object' || result === null)
    return undefined;
  const failures = (result as { batchItemFailures?: { itemIdentifier?: unknown }[] }).batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  let earliest: number | undefined;
  for (const failure of failures) {
    const index = records.findIndex((record) => record.dynamodb.SequenceNumber === failure.itemIdentifier);
    // An identifier that matches nothing (or is missing) fails the whole batch, as on AWS.
    if (index < 0) return 0;
    earliest = earliest === undefined ? index : Math.min(earliest, index);
  }
  return earliest;
}
