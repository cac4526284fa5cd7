import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Charger,
  type Connector,
  type ConnectorStatus,
  DEFAULT_HEARTBEAT_INTERVAL_S,
  DEFAULT_LIVENESS_BACKSTOP_S,
  DEFAULT_LIVENESS_GRACE_S,
  livenessWindowMs,
  NotFoundError,
} from '@evcharge/domain';
import { entities, keys } from '../entities.js';
import { itemOf } from '../entity.js';
import { entityOf, type TableContext } from '../table-context.js';
import { isConditionalCheckFailed } from '../transactions.js';

export interface RegisterChargerInput {
  chargerId: string;
  connectorCount: number;
  /** Local broker credentials only; on AWS the certificate is the credential. */
  credentialHash?: string;
  /** Registers it Pending (its BootNotification is answered Pending) until `commissionCharger`; else Accepted. */
  pending?: boolean;
  now: Date;
}

/**
 * Records a charger and its connectors. Re-registering keeps liveness and session state, and
 * only rotates credentials, adds connectors or sets the registration status: an operator can run it twice
 * without harm.
 */
export async function registerCharger(table: TableContext, input: RegisterChargerInput): Promise<Charger> {
  const registeredAt = input.now.toISOString();
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.charger(input.chargerId),
      UpdateExpression: [
        'SET entityType = :entityType, chargerId = :chargerId, connectorCount = :connectorCount',
        'registrationStatus = :registrationStatus',
        'registeredAt = if_not_exists(registeredAt, :registeredAt)',
        '#status = if_not_exists(#status, :offline)',
        'heartbeatIntervalS = if_not_exists(heartbeatIntervalS, :interval)',
        'livenessWindowMs = if_not_exists(livenessWindowMs, :window)',
        ...(input.credentialHash ? ['credentialHash = :credentialHash'] : []),
      ].join(', '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entityType': entities.charger.entityType,
        ':chargerId': input.chargerId,
        ':connectorCount': input.connectorCount,
        ':registrationStatus': input.pending ? 'Pending' : 'Accepted',
        ':registeredAt': registeredAt,
        ':offline': 'offline',
        ':interval': DEFAULT_HEARTBEAT_INTERVAL_S,
        // The default deployment's silence window; the sweeper recomputes it from its own settings.
        ':window': livenessWindowMs(
          DEFAULT_HEARTBEAT_INTERVAL_S,
          DEFAULT_LIVENESS_GRACE_S,
          DEFAULT_LIVENESS_BACKSTOP_S,
        ),
        ...(input.credentialHash ? { ':credentialHash': input.credentialHash } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  // Its entry in the fleet list (written once; the operators' fleet view reads the list, never a scan).
  await table.client
    .send(
      new PutCommand({
        TableName: table.tableName,
        Item: itemOf(entities.chargerListing, { chargerId: input.chargerId }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionalCheckFailed(error)) throw error;
    });
  for (let connectorId = 1; connectorId <= input.connectorCount; connectorId++) {
    const connector: Connector = {
      chargerId: input.chargerId,
      connectorId,
      status: 'Available',
      plugged: false,
      faulted: false,
    };
    await table.client
      .send(
        new PutCommand({
          TableName: table.tableName,
          Item: itemOf(entities.connector, connector),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
  return entityOf<Charger>(Attributes ?? {});
}

export interface CommissionedCharger {
  charger: Charger;
  /** True when it was Accepted before: commissioning again changed nothing. */
  alreadyAccepted: boolean;
}

/**
 * Commissions a charger: its next BootNotification is answered Accepted. Idempotent: an Accepted charger
 * stays Accepted. An unknown charger is a NotFoundError, and nothing is written.
 */
export async function commissionCharger(
  table: TableContext,
  chargerId: string,
): Promise<CommissionedCharger> {
  try {
    const { Attributes } = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.charger(chargerId),
        UpdateExpression: 'SET registrationStatus = :accepted',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':accepted': 'Accepted' },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const before = entityOf<Charger>(Attributes ?? {});
    return {
      charger: { ...before, registrationStatus: 'Accepted' },
      // Absent means Accepted (chargers registered before registration statuses existed).
      alreadyAccepted: before.registrationStatus !== 'Pending',
    };
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`charger ${chargerId} is not registered`);
    throw error;
  }
}

export async function getCharger(table: TableContext, chargerId: string): Promise<Charger | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.charger(chargerId) }),
  );
  return Item ? entityOf<Charger>(Item) : undefined;
}

export async function listConnectors(table: TableContext, chargerId: string): Promise<Connector[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.charger(chargerId).pk, ':prefix': keys.connectorPrefix },
    }),
  );
  return Items.map((item) => entityOf<Connector>(item));
}

export async function getConnector(
  table: TableContext,
  chargerId: string,
  connectorId: number,
): Promise<Connector | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.connector(chargerId, connectorId) }),
  );
  return Item ? entityOf<Connector>(Item) : undefined;
}

/**
 * The one way a session gives back its connector, inside the transaction that ends it: only if the connector
 * still holds that session and its plug/fault state is as read, since `status` was computed from that state.
 */
export function connectorRelease(
  tableName: string,
  connector: Pick<Connector, 'chargerId' | 'connectorId' | 'plugged' | 'faulted' | 'unavailable'>,
  sessionId: string,
  status: ConnectorStatus,
  /** The final register the session ended on (a v2 stop's meterStop), when no newer reading is on the connector. */
  register?: { wh: number; at: string },
) {
  // An Unavailable status (v2) counts like a fault: `status` was computed from it too.
  const sameAvailability = connector.unavailable
    ? 'unavailable = :true'
    : '(attribute_not_exists(unavailable) OR unavailable = :false)';
  return {
    Update: {
      TableName: tableName,
      Key: keys.connector(connector.chargerId, connector.connectorId),
      UpdateExpression: register
        ? 'SET #status = :status, lastRegisterWh = :registerWh, lastReadingAt = :readingAt REMOVE activeSessionId'
        : 'SET #status = :status REMOVE activeSessionId',
      ConditionExpression: `activeSessionId = :sessionId AND plugged = :plugged AND faulted = :faulted AND ${sameAvailability}${
        register ? ' AND (attribute_not_exists(lastReadingAt) OR lastReadingAt <= :readingAt)' : ''
      }`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':sessionId': sessionId,
        ':plugged': connector.plugged,
        ':faulted': connector.faulted,
        ...(connector.unavailable ? { ':true': true } : { ':false': false }),
        ...(register ? { ':registerWh': register.wh, ':readingAt': register.at } : {}),
      },
    },
  };
}

/**
 * The one way a session takes a connector, inside the transaction that opens it: the connector must still be
 * free, not faulted, plugged as read (the session's status depends on it) and hold the register read (the
 * session's energyStartWh), so a reading landing in between makes the opener re-read. The old item comes
 * back when it fails, so a caller can tell a lost race from a rule disagreement.
 */
export function connectorClaim(
  tableName: string,
  connector: Pick<Connector, 'chargerId' | 'connectorId' | 'plugged' | 'lastRegisterWh'>,
  sessionId: string,
  status: ConnectorStatus,
) {
  const sameRegister =
    connector.lastRegisterWh === undefined
      ? 'attribute_not_exists(lastRegisterWh)'
      : 'lastRegisterWh = :lastRegisterWh';
  return {
    Update: {
      TableName: tableName,
      Key: keys.connector(connector.chargerId, connector.connectorId),
      UpdateExpression: 'SET activeSessionId = :sessionId, #status = :status',
      // Not faulted, not unavailable, nor the whole charger: the table's half of connectorAvailability.
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(activeSessionId) AND faulted = :false AND (attribute_not_exists(unavailable) OR unavailable = :false) AND (attribute_not_exists(chargerUnavailable) OR chargerUnavailable = :false) AND plugged = :plugged AND ${sameRegister}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sessionId': sessionId,
        ':status': status,
        ':false': false,
        ':plugged': connector.plugged,
        ...(connector.lastRegisterWh === undefined ? {} : { ':lastRegisterWh': connector.lastRegisterWh }),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** Sets attributes of a registered charger's item; an unknown charger is a NotFoundError, and nothing is written. */
async function setOnRegisteredCharger(
  table: TableContext,
  chargerId: string,
  attributes: Record<string, string>,
): Promise<void> {
  const names = Object.keys(attributes);
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.charger(chargerId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name) => [`:${name}`, attributes[name]])),
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError(`charger ${chargerId} is not registered`);
    throw error;
  }
}

/**
 * Sets (or rotates) a registered charger's OCPP credential: the scrypt hash of its AuthorizationKey, which the
 * OCPP gateway checks on the WebSocket handshake.
 */
export function setOcppCredentialHash(table: TableContext, chargerId: string, ocppCredentialHash: string) {
  return setOnRegisteredCharger(table, chargerId, { ocppCredentialHash });
}

/** Assigns a registered charger to a site gateway, whose credential may then act for it (its client id). */
export function assignChargerToGateway(table: TableContext, chargerId: string, gatewayId: string) {
  return setOnRegisteredCharger(table, chargerId, { gatewayId });
}

/** The gateway a charger is assigned to, if any. */
export async function gatewayOfCharger(table: TableContext, chargerId: string): Promise<string | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: keys.charger(chargerId),
      ProjectionExpression: 'gatewayId',
    }),
  );
  return typeof Item?.gatewayId === 'string' ? Item.gatewayId : undefined;
}
