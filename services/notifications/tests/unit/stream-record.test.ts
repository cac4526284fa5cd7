import { readFileSync } from 'node:fs';
import { BadInputError } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { notificationForChange } from '../../src/rules.js';
import { changeOfRecord, unmarshallImage } from '../../src/stream-record.js';

describe('unmarshallImage', () => {
  it('turns stream attribute values into plain values', () => {
    expect(
      unmarshallImage({
        text: { S: 'CP-1' },
        count: { N: '42' },
        ratio: { N: '0.5' },
        flag: { BOOL: false },
        nothing: { NULL: true },
        nested: { M: { inner: { L: [{ N: '1' }, { S: 'two' }] } } },
        tags: { SS: ['a', 'b'] },
        numbers: { NS: ['1', '2'] },
        bytes: { B: Buffer.from('hi').toString('base64') },
      }),
    ).toEqual({
      text: 'CP-1',
      count: 42,
      ratio: 0.5,
      flag: false,
      nothing: null,
      nested: { inner: [1, 'two'] },
      tags: new Set(['a', 'b']),
      numbers: new Set([1, 2]),
      bytes: Buffer.from('hi'),
    });
  });

  it('refuses a number that would lose precision, naming the attribute', () => {
    expect(() => unmarshallImage({ nested: { M: { big: { N: '9007199254740993' } } } })).toThrow(
      new BadInputError('nested.big', 'number 9007199254740993 cannot be represented exactly'),
    );
  });
});

describe('changeOfRecord', () => {
  const sample = JSON.parse(
    readFileSync(new URL('../../events/session-completed.json', import.meta.url), 'utf8'),
  ) as DynamoDBStreamEvent;

  it('reads the sample event (events/session-completed.json) as a session.completed change', () => {
    const [record] = sample.Records;
    const change = changeOfRecord(record ?? {});
    expect(change).toMatchObject({
      sequenceNumber: '000000000000000000101',
      itemKey: 'SESSION#3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a01',
      oldImage: { status: 'Charging' },
      newImage: { status: 'Completed', energyWh: 12_300, connectorId: 1 },
    });
    expect(notificationForChange(change)?.body.kind).toBe('session.completed');
  });

  it('treats a REMOVE as a change without a new image, and refuses a record without a sequence number', () => {
    const remove = {
      eventName: 'REMOVE' as const,
      dynamodb: {
        SequenceNumber: '7',
        Keys: { pk: { S: 'X' } },
        OldImage: { entityType: { S: 'Idempotency' } },
      },
    };
    expect(changeOfRecord(remove)).toEqual({
      sequenceNumber: '7',
      itemKey: 'X',
      oldImage: { entityType: 'Idempotency' },
      newImage: undefined,
    });
    expect(() => changeOfRecord({ dynamodb: {} })).toThrow(BadInputError);
  });
});
