import { BadInputError } from '@evcharge/domain';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from './rules.js';

/** One stream record as the mapping needs it: where it is in the shard, which item, and both images. */
export interface RecordChange extends ItemChange {
  sequenceNumber: string;
  /** pk of the item: the stream keeps each item's changes in order, and so do we. */
  itemKey: string;
}

export function changeOfRecord(record: DynamoDBRecord): RecordChange {
  const stream = record.dynamodb;
  if (!stream?.SequenceNumber) throw new BadInputError('dynamodb.SequenceNumber', 'is missing');
  const keys = stream.Keys ? unmarshallImage(stream.Keys) : {};
  return {
    sequenceNumber: stream.SequenceNumber,
    itemKey: typeof keys.pk === 'string' ? keys.pk : stream.SequenceNumber,
    oldImage: stream.OldImage ? unmarshallImage(stream.OldImage) : undefined,
    newImage: stream.NewImage ? unmarshallImage(stream.NewImage) : undefined,
  };
}

// A local unmarshaller: @aws-sdk/util-dynamodb is not a dependency of this package (see README).
export function unmarshallImage(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, unmarshallValue(value, name)]),
  );
}

function unmarshallValue(value: AttributeValue, path: string): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return numberOf(value.N, path);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) {
    return Object.fromEntries(
      Object.entries(value.M).map(([name, inner]) => [name, unmarshallValue(inner, `${path}.${name}`)]),
    );
  }
  if (value.L !== undefined) return value.L.map((inner, index) => unmarshallValue(inner, `${path}.${index}`));
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map((number) => numberOf(number, path)));
  if (value.B !== undefined) return Buffer.from(value.B, 'base64');
  if (value.BS !== undefined) return new Set(value.BS.map((bytes) => Buffer.from(bytes, 'base64')));
  throw new BadInputError(path, 'is not a DynamoDB attribute value');
}

function numberOf(text: string, path: string): number {
  const number = Number(text);
  // As util-dynamodb does: refuse numbers that would silently lose precision.
  if (!Number.isFinite(number) || (Number.isInteger(number) && !Number.isSafeInteger(number))) {
    throw new BadInputError(path, `number ${text} cannot be represented exactly`);
  }
  return number;
}
