import { isFreshSignOfLife } from '@evcharge/domain';
import { keys } from '../entities.js';

/**
 * The one way every service refreshes a charger's liveness: an item to put inside the transaction that
 * service already writes, so any message is a sign of life at no extra write call.
 * The deadline moves with the charger's own window; the sparse index key (duePk) is left to the
 * online/offline transitions, so an offline charger never re-enters the sweeper's index here.
 * A late message (a retry processed long after receipt) only checks that the charger exists: a SET
 * cannot say "only forward" inside someone else's transaction, and a late time would move it back.
 */
export function chargerLivenessUpdate(
  tableName: string,
  chargerId: string,
  receivedAtMs: number,
  nowMs = Date.now(),
) {
  const registered = 'attribute_exists(pk)';
  if (!isFreshSignOfLife(receivedAtMs, nowMs)) {
    return {
      ConditionCheck: { TableName: tableName, Key: keys.charger(chargerId), ConditionExpression: registered },
    };
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.charger(chargerId),
      UpdateExpression: 'SET lastSeenAt = :seenAt, dueAt = :seenAtMs + livenessWindowMs',
      ConditionExpression: registered,
      ExpressionAttributeValues: {
        ':seenAt': new Date(receivedAtMs).toISOString(),
        ':seenAtMs': receivedAtMs,
      },
    },
  };
}
