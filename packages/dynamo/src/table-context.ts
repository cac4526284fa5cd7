import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every repository takes: the client (so tests pass one pointed at DynamoDB Local) and the table name. */
export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const storageAttributes = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'duePk',
  'dueAt',
  'entityType',
  'expiresAtEpochS',
]);

/** Strips key and index attributes from an item, leaving the entity's own attributes. */
export function entityOf<Entity>(item: Record<string, unknown>): Entity {
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!storageAttributes.has(name)) entity[name] = value;
  }
  return entity as Entity;
}
