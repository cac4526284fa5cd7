import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BadInputError, type NotificationBody, TransientError } from '@evcharge/domain';
import type { TableContext } from '@evcharge/dynamo';
import type { DeadLetterSink, Logger } from '@evcharge/middleware';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { notificationForChange } from './rules.js';
import { claimNotification, markNotificationSent, releaseNotificationClaim } from './store.js';
import { changeOfRecord, type RecordChange } from './stream-record.js';

/** Sent-notification records outlive the stream's 24 h retention, so any replay of it finds them. */
export const NOTIFICATION_RECORD_TTL_S = 7 * 24 * 3600;
/** A claim lasts until its invocation is surely dead (its timeout) plus this, to absorb clock skew. */
export const LEASE_MARGIN_MS = 2_000;
/** A claim left by a timed-out invocation expires within the margin: wait for it rather than fail. */
const MAX_WAIT_FOR_CLAIM_MS = LEASE_MARGIN_MS + 1_000;

export interface NotifyDependencies {
  table: TableContext;
  publish: (body: NotificationBody) => Promise<string>;
  logger: Logger;
  deadLetter?: DeadLetterSink | undefined;
  functionName: string;
  now: () => number;
  /** Time left in this invocation (context.getRemainingTimeInMillis). */
  remainingMs: () => number;
}

export type RecordOutcome = 'silent' | 'published' | 'already-sent';

/**
 * Turns a batch of stream records into notifications. A failed record is reported in batchItemFailures; so are
 * later records of the same item, held back so one item's notifications never overtake each other.
 */
export async function notifyBatch(
  records: DynamoDBRecord[],
  dependencies: NotifyDependencies,
): Promise<DynamoDBBatchResponse> {
  const { logger } = dependencies;
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  const heldBackItems = new Set<string>();
  for (const record of records) {
    const itemIdentifier = record.dynamodb?.SequenceNumber ?? '';
    let change: RecordChange | undefined;
    try {
      change = changeOfRecord(record);
      if (heldBackItems.has(change.itemKey)) {
        batchItemFailures.push({ itemIdentifier });
        continue;
      }
      await notifyChange(change, dependencies);
    } catch (error) {
      if (error instanceof BadInputError && (await deadLettered(record, error, dependencies))) continue;
      logger.warn('notification failed, the stream will retry it', {
        errorClass: error instanceof TransientError ? 'transient' : 'bug',
        sequenceNumber: itemIdentifier,
        error: error as Error,
      });
      batchItemFailures.push({ itemIdentifier });
      if (change) heldBackItems.add(change.itemKey);
    }
  }
  return { batchItemFailures };
}

/**
 * Exactly once in effect: claim the natural key (conditional write), publish, then mark it sent. A failed
 * publish releases the claim so the retry publishes; a replay finds `sent` and publishes nothing.
 */
export async function notifyChange(
  change: RecordChange,
  dependencies: NotifyDependencies,
): Promise<RecordOutcome> {
  const planned = notificationForChange(change);
  if (!planned) return 'silent';
  const { table, logger } = dependencies;
  const { naturalKey, body } = planned;
  const claimToken = randomUUID();
  const claim = async () => {
    const nowMs = dependencies.now();
    return claimNotification(table, {
      naturalKey,
      kind: body.kind,
      claimToken,
      nowMs,
      leaseUntilMs: nowMs + dependencies.remainingMs() + LEASE_MARGIN_MS,
      expiresAtEpochS: Math.floor(nowMs / 1000) + NOTIFICATION_RECORD_TTL_S,
    });
  };
  let claimed = await claim();
  const waitUntilMs = dependencies.now() + MAX_WAIT_FOR_CLAIM_MS;
  // Again after each wait: a timer may fire before the clock has passed the lease (the loop's time lags under load).
  while (claimed.outcome === 'held') {
    const nowMs = dependencies.now();
    const waitMs = Math.max(claimed.claimedUntilMs - nowMs + 1, 1);
    if (nowMs + waitMs > waitUntilMs || waitMs + LEASE_MARGIN_MS > dependencies.remainingMs()) {
      throw new TransientError(`notification ${naturalKey} is being published by another attempt`);
    }
    await sleep(waitMs);
    claimed = await claim();
  }
  if (claimed.outcome === 'sent') {
    logger.info('notification already sent', { naturalKey, messageId: claimed.messageId });
    return 'already-sent';
  }
  let messageId: string;
  try {
    messageId = await dependencies.publish(body);
  } catch (error) {
    await releaseNotificationClaim(table, { naturalKey, claimToken }).catch((releaseError: unknown) =>
      logger.warn('could not release the claim; it expires with its lease', {
        naturalKey,
        error: releaseError as Error,
      }),
    );
    throw error;
  }
  const sentAt = new Date(dependencies.now()).toISOString();
  // Published is published: failing the record now would only make the retry send it twice.
  const marked = await markNotificationSent(table, { naturalKey, claimToken, messageId, sentAt }).catch(
    (error: unknown) => {
      logger.error('published but not recorded as sent; a replay after the lease may repeat it', {
        naturalKey,
        error: error as Error,
      });
      return true;
    },
  );
  if (!marked) logger.warn('claim was taken over before it was marked sent', { naturalKey });
  logger.info('notification published', {
    naturalKey,
    kind: body.kind,
    chargerId: body.chargerId,
    messageId,
  });
  return 'published';
}

/** Bad input can never succeed: dead-letter it once and move on; if even that fails, let the stream retry. */
async function deadLettered(
  record: DynamoDBRecord,
  error: BadInputError,
  dependencies: NotifyDependencies,
): Promise<boolean> {
  const { logger, deadLetter } = dependencies;
  logger.warn('stream record breaks the item contract', {
    errorClass: error.errorClass,
    field: error.field,
    reason: error.reason,
    sequenceNumber: record.dynamodb?.SequenceNumber,
  });
  try {
    const failedAt = new Date(dependencies.now()).toISOString();
    await deadLetter?.({
      functionName: dependencies.functionName,
      errorClass: error.errorClass,
      field: error.field,
      reason: error.reason,
      payload: record,
      attempts: 1,
      firstFailureAt: failedAt,
      lastFailureAt: failedAt,
    });
    return true;
  } catch (sinkError) {
    logger.error('could not dead-letter the record', { error: sinkError as Error });
    return false;
  }
}
