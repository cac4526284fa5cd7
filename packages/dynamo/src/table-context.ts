import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STREAM_SILENT } from './keys.js';
import tableDefinition from './table-definition.json' with { type: 'json' };

/** What every repository takes: the client (so tests pass one pointed at DynamoDB Local) and the table name. */
export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Every key and index attribute of the table, its TTL attribute, the entity tag and the stream-silent mark: none
 * is an entity's own.
 */
const storageAttributes = new Set([
  ...tableDefinition.AttributeDefinitions.map((attribute) => attribute.AttributeName),
  tableDefinition.TimeToLiveSpecification.AttributeName,
  'entityType',
  STREAM_SILENT,
]);

/** Strips key and index attributes from an item, leaving the entity's own attributes. */
export function entityOf<Entity>(item: Record<string, unknown>): Entity {
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!storageAttributes.has(name)) entity[name] = value;
  }
  return entity as Entity;
}
