import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import type { TableContext } from '../table-context.js';
import { isConditionalCheckFailed } from '../transactions.js';

// Sites: chargers sharing one grid connection. The charger's `siteId` lives on its ChargerListing (written at
// registration and these writes only), never on the CHARGER item that every heartbeat rewrites. The operator CLI
// (`npm run chargers -- set-site`, `set-site-limit`) and the simulated fleet's sites write through them.

/** Puts a registered charger in a site (creating the Site item if it is new); NotFoundError for an unknown charger. */
export async function setChargerSite(
  table: TableContext,
  chargerId: string,
  siteId: string,
  now: Date,
): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.chargerListing(chargerId),
        UpdateExpression: 'SET siteId = :siteId',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':siteId': siteId },
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`charger ${chargerId} is not registered`);
    throw error;
  }
  await upsertSite(table, siteId, now, {});
}

/** Sets a site's grid limit (W), creating the site if it is new. */
export function setSiteGridLimit(table: TableContext, siteId: string, gridLimitW: number, now: Date) {
  return upsertSite(table, siteId, now, { gridLimitW });
}

async function upsertSite(
  table: TableContext,
  siteId: string,
  now: Date,
  attributes: { gridLimitW?: number },
): Promise<void> {
  const sets = Object.keys(attributes).map((name) => `${name} = :${name}`);
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.site(siteId),
      UpdateExpression: [
        'SET entityType = :entityType, siteId = :siteId, updatedAt = :updatedAt',
        ...sets,
      ].join(', '),
      ExpressionAttributeValues: {
        ':entityType': entities.site.entityType,
        ':siteId': siteId,
        ':updatedAt': now.toISOString(),
        ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value])),
      },
    }),
  );
}
