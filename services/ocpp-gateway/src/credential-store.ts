import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type EntityOf, type entities, keys, type TableContext } from '@evcharge/dynamo';

// Where the gateway gets the hashes it checks: the charger item of the table (`ocppCredentialHash`, an scrypt
// hash of the AuthorizationKey), read per handshake. Access pattern: GetItem pk = CHARGER#<id>, sk = CHARGER.

export interface ChargerCredential {
  /** Absent: the charger is registered but was issued no OCPP credential, so no password can match. */
  ocppCredentialHash?: string;
}

export interface CredentialLookup {
  /** undefined for a charger id that is not registered. */
  credentialOf(chargerId: string): Promise<ChargerCredential | undefined>;
}

type ChargerItem = Pick<EntityOf<typeof entities.charger>, 'chargerId' | 'ocppCredentialHash'>;

export function tableCredentialLookup(table: TableContext): CredentialLookup {
  return {
    async credentialOf(chargerId) {
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: keys.charger(chargerId),
          ProjectionExpression: 'chargerId, ocppCredentialHash',
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      const charger = Item as ChargerItem;
      return charger.ocppCredentialHash ? { ocppCredentialHash: charger.ocppCredentialHash } : {};
    },
  };
}
