import { keys } from '../keys.js';

/**
 * The one way every service refreshes a charger's liveness: an Update to put inside the transaction
 * that service already writes, so any message is a sign of life at no extra write call.
 * The deadline moves with the charger's own window; the sparse index key (duePk) is left to the
 * online/offline transitions, so an offline charger never re-enters the sweeper's index here.
 */
export function chargerLivenessUpdate(tableName: string, chargerId: string, receivedAtMs: number) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.charger(chargerId),
      UpdateExpression: 'SET lastSeenAt = :seenAt, dueAt = :seenAtMs + livenessWindowMs',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':seenAt': new Date(receivedAtMs).toISOString(),
        ':seenAtMs': receivedAtMs,
      },
    },
  };
}
