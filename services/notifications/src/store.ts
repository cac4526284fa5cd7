import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { NotificationKind } from '@evcharge/domain';
import { isConditionalCheckFailed, keys, type TableContext } from '@evcharge/dynamo';

// Access patterns of the notifications service: one record per sent notification, keyed by its natural key.
//
// | pattern                          | key                                                        | call                 |
// | -------------------------------- | ---------------------------------------------------------- | -------------------- |
// | claim a notification to publish  | pk = IDEMPOTENCY#notification#<naturalKey>, sk = IDEMPOTENCY | conditional Update |
// | mark it sent / release the claim | same                                                       | Update on claimToken |
//
// The record has two states: `claimed` (someone is publishing, until `claimedUntil` epoch ms) and `sent`.
// A claim whose lease ran out (the claimer died or released it) can be taken over; a sent record never.

export const NOTIFICATION_SCOPE = 'notification';

export type NotificationClaim =
  | { outcome: 'claimed' }
  | { outcome: 'sent'; messageId?: string }
  | { outcome: 'held'; claimedUntilMs: number };

type RecordUpdate = Omit<UpdateCommandInput, 'TableName' | 'Key'>;

/** The one UpdateItem on a notification's record; claim, mark and release differ only in the update. */
function updateRecord(table: TableContext, naturalKey: string, update: RecordUpdate) {
  return table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.idempotency(NOTIFICATION_SCOPE, naturalKey),
      ...update,
    }),
  );
}

/** True when the update applied, false when its condition (our claim token) no longer held. */
async function updateIfClaimHeld(table: TableContext, naturalKey: string, update: RecordUpdate) {
  try {
    await updateRecord(table, naturalKey, update);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

export interface ClaimNotificationInput {
  naturalKey: string;
  kind: NotificationKind;
  /** Unique per attempt: only the holder can mark the record sent or release it. */
  claimToken: string;
  nowMs: number;
  /** Until when no other attempt may take the claim over (the claimer's own deadline plus a margin). */
  leaseUntilMs: number;
  /** TTL: kept long enough to cover any replay of the stream (24 h retention). */
  expiresAtEpochS: number;
}

/** Claims the right to publish one notification, unless it was sent or someone else holds a live claim. */
export async function claimNotification(
  table: TableContext,
  input: ClaimNotificationInput,
): Promise<NotificationClaim> {
  try {
    await updateRecord(table, input.naturalKey, {
      UpdateExpression:
        'SET entityType = :entityType, #scope = :scope, naturalKey = :naturalKey, #kind = :kind, ' +
        '#state = :claimed, claimToken = :claimToken, claimedAt = :claimedAt, claimedUntil = :leaseUntil, ' +
        'expiresAtEpochS = :expiresAt ADD attempts :one',
      ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND claimedUntil < :now)',
      ExpressionAttributeNames: { '#scope': 'scope', '#kind': 'kind', '#state': 'state' },
      ExpressionAttributeValues: {
        ':entityType': 'Idempotency',
        ':scope': NOTIFICATION_SCOPE,
        ':naturalKey': input.naturalKey,
        ':kind': input.kind,
        ':claimed': 'claimed',
        ':claimToken': input.claimToken,
        ':claimedAt': new Date(input.nowMs).toISOString(),
        ':leaseUntil': input.leaseUntilMs,
        ':now': input.nowMs,
        ':expiresAt': input.expiresAtEpochS,
        ':one': 1,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    return { outcome: 'claimed' };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The failed condition returns the record as it is (raw attribute values: lib-dynamodb leaves errors alone).
    const existing = (error as Error & { Item?: Record<string, { S?: string; N?: string }> }).Item;
    if (existing?.state?.S === 'sent') {
      return { outcome: 'sent', ...(existing.messageId?.S ? { messageId: existing.messageId.S } : {}) };
    }
    return { outcome: 'held', claimedUntilMs: Number(existing?.claimedUntil?.N ?? input.leaseUntilMs) };
  }
}

export interface MarkNotificationSentInput {
  naturalKey: string;
  claimToken: string;
  messageId: string;
  sentAt: string;
}

/** Records a publish; false when the claim was no longer ours (it was taken over after our lease ran out). */
export async function markNotificationSent(
  table: TableContext,
  input: MarkNotificationSentInput,
): Promise<boolean> {
  return updateIfClaimHeld(table, input.naturalKey, {
    UpdateExpression: 'SET #state = :sent, messageId = :messageId, sentAt = :sentAt REMOVE claimedUntil',
    ConditionExpression: 'claimToken = :claimToken',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':sent': 'sent',
      ':messageId': input.messageId,
      ':sentAt': input.sentAt,
      ':claimToken': input.claimToken,
    },
  });
}

/** Ends our claim's lease now (publish failed), so the retry can claim again at once. */
export async function releaseNotificationClaim(
  table: TableContext,
  input: { naturalKey: string; claimToken: string },
): Promise<boolean> {
  return updateIfClaimHeld(table, input.naturalKey, {
    UpdateExpression: 'SET claimedUntil = :released',
    ConditionExpression: 'claimToken = :claimToken AND #state = :claimed',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':released': 0, ':claimToken': input.claimToken, ':claimed': 'claimed' },
  });
}
