import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '@evcharge/domain';
import {
  audited,
  blockIdTag,
  commissionCharger,
  isConditionalCheckFailed,
  keys,
  type TableContext,
} from '@evcharge/dynamo';

// Registry operations from the console: the same repository calls `npm run chargers -- commission` and
// `npm run idtags -- block` make, audited; and an alert's acknowledgement.

export interface RegistryDeps {
  table: TableContext;
  now: () => Date;
}

export function commission(deps: RegistryDeps, operatorId: string, chargerId: string) {
  return audited(
    deps,
    { operatorId, action: 'commission', target: chargerId },
    () => commissionCharger(deps.table, chargerId),
    ({ alreadyAccepted }) => (alreadyAccepted ? 'already accepted' : 'accepted'),
  );
}

export function blockTag(deps: RegistryDeps, operatorId: string, idTag: string) {
  return audited(deps, { operatorId, action: 'block idTag', target: idTag }, () =>
    blockIdTag(deps.table, idTag),
  );
}

/** Marks an alert seen by an operator; the detector still clears or reopens it. */
export function acknowledgeAlert(deps: RegistryDeps, operatorId: string, chargerId: string, kind: string) {
  return audited(
    deps,
    { operatorId, action: 'acknowledge alert', target: `${chargerId} ${kind}` },
    async () => {
      const acknowledgedAt = deps.now().toISOString();
      try {
        await deps.table.client.send(
          new UpdateCommand({
            TableName: deps.table.tableName,
            Key: keys.alert(chargerId, kind),
            UpdateExpression: 'SET acknowledgedAt = :at, acknowledgedBy = :by',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': acknowledgedAt, ':by': operatorId },
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw new NotFoundError(`alert ${kind} of ${chargerId}`);
        throw error;
      }
      return { chargerId, kind, acknowledgedAt, acknowledgedBy: operatorId };
    },
  );
}
