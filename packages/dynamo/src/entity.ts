import type * as z from 'zod/mini';
import {
  DEADLINES_INDEX,
  type DeadlineKey,
  type DeadlineKind,
  deadlinePartitionFor,
  GSI1,
  type Gsi1Key,
  type PrimaryKey,
  STREAM_SILENT,
} from './keys.js';

// How an entity of the single table is defined once (tag, attributes, key templates, index keys), and what is
// derived from a definition: the item it is stored as, and the public key templates (`keys`).

/** Named key templates: functions building a key or a partition value, or a constant prefix. */
export type KeyTemplates = Record<string, ((...args: never[]) => unknown) | string>;

/** The index keys an entity carries; methods, so that a definition of one entity fits the general shape. */
export interface EntityIndexes<Value = never, Templates = KeyTemplates> {
  /** Its entry in `gsi1`, or undefined when this item is not listed there. */
  [GSI1]?(value: Value, keys: Templates): Gsi1Key | undefined;
  /** The deadline kind it arms in the sparse `deadlines` index, and the id that picks its shard. */
  [DEADLINES_INDEX]?: { kind: DeadlineKind; shardBy(value: Value): string };
}

/** The key under which a definition carries its attributes' schema type: a type only, never a value. */
declare const attributes: unique symbol;

export interface EntityDefinition<
  Tag extends string = string,
  Schema extends z.ZodMiniType<object> = z.ZodMiniType<object>,
  Templates extends KeyTemplates = KeyTemplates,
  Indexes extends EntityIndexes<z.output<Schema>, Templates> = EntityIndexes<z.output<Schema>, Templates>,
> {
  /** Stored on every item, so stream consumers tell items apart without parsing keys. */
  entityType: Tag;
  /**
   * Its attributes, the schema's type only (the contract's schema where the contract defines the entity; the
   * values are `entitySchemas`): every bundle holds the definitions, and builds a schema only where it parses.
   */
  readonly [attributes]?: Schema;
  /** Its key templates, public as `keys.<name>` with the same signatures. */
  keys: Templates;
  primaryKey(value: z.output<Schema>, keys: Templates): PrimaryKey;
  indexes: Indexes;
  /** Whether an item with these attributes notifies no one when written: `itemOf` marks it `STREAM_SILENT`. */
  streamSilent?(value: z.output<Schema>): boolean;
}

/** `defineEntity<typeof attributesSchema>()({ entityType, keys, primaryKey, indexes })`. */
export function defineEntity<Schema extends z.ZodMiniType<object>>() {
  return <
    const Tag extends string,
    const Templates extends KeyTemplates,
    const Indexes extends EntityIndexes<z.output<Schema>, Templates>,
  >(
    definition: EntityDefinition<Tag, Schema, Templates, Indexes>,
  ): EntityDefinition<Tag, Schema, Templates, Indexes> => definition;
}

/** An entity's attributes, as its schema's type. */
export type EntityOf<Definition extends EntityDefinition> = z.output<
  NonNullable<Definition[typeof attributes]>
>;

type IndexKeysOf<Indexes> = (Indexes extends { [GSI1]: unknown } ? Partial<Gsi1Key> : unknown) &
  (Indexes extends { [DEADLINES_INDEX]: unknown } ? Partial<DeadlineKey> : unknown);

/** An item as stored: its key, its tag, its attributes, and the index keys its entity may carry. */
export type ItemOf<Definition extends EntityDefinition> = Flattened<
  PrimaryKey &
    IndexKeysOf<Definition['indexes']> & { entityType: Definition['entityType'] } & EntityOf<Definition> & {
      [STREAM_SILENT]?: true;
    }
>;

/** One object type rather than an intersection, so an item is assignable where a plain record is expected. */
type Flattened<Type> = { [Key in keyof Type]: Type[Key] };

/** When an entity has a deadline, an item may be written with it armed (`dueAt`, epoch ms). */
type DeadlineArgument<Definition extends EntityDefinition> = Definition['indexes'] extends {
  [DEADLINES_INDEX]: unknown;
}
  ? [deadline?: { dueAt: number }]
  : [];

/**
 * The one way an item is assembled: key, `gsi1` entry (when the entity has one), tag, attributes, when
 * given, the armed deadline (its shard follows from the definition), and the stream-silent mark when the
 * definition says the item notifies no one. Attributes are not re-validated: the
 * type is the schema's.
 */
export function itemOf<Definition extends EntityDefinition>(
  definition: Definition,
  value: EntityOf<Definition>,
  ...[deadline]: DeadlineArgument<Definition>
): ItemOf<Definition> {
  const due = definition.indexes[DEADLINES_INDEX];
  return {
    ...definition.primaryKey(value, definition.keys),
    ...definition.indexes[GSI1]?.(value, definition.keys),
    entityType: definition.entityType,
    ...value,
    ...(deadline && due
      ? { duePk: deadlinePartitionFor(due.kind, due.shardBy(value)), dueAt: deadline.dueAt }
      : undefined),
    ...(definition.streamSilent?.(value) ? { [STREAM_SILENT]: true } : undefined),
  } as ItemOf<Definition>;
}

type UnionToIntersection<Union> = (Union extends unknown ? (member: Union) => void : never) extends (
  all: infer Intersection,
) => void
  ? Intersection
  : never;

/** Every definition's key templates in one object; a name defined twice is a mistake, refused at load. */
export function keysOf<Entities extends Record<string, EntityDefinition>>(
  entities: Entities,
): UnionToIntersection<Entities[keyof Entities]['keys']> {
  const merged: KeyTemplates = {};
  for (const definition of Object.values(entities)) {
    for (const [name, template] of Object.entries(definition.keys)) {
      if (name in merged) throw new Error(`key template ${name} is defined twice (${definition.entityType})`);
      merged[name] = template;
    }
  }
  return merged as UnionToIntersection<Entities[keyof Entities]['keys']>;
}
