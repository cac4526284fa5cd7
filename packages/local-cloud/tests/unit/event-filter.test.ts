import { describe, expect, it } from '@jest/globals';
import {
  assertSupportedPattern,
  type EventPattern,
  matchesAnyPattern,
  matchesPattern,
} from '../../src/streams/event-filter.js';

// Lambda event filtering as the local cloud applies it to stream records (the AWS event-pattern subset).

const record = (newImage: Record<string, unknown>, oldImage?: Record<string, unknown>) => ({
  eventName: oldImage ? 'MODIFY' : 'INSERT',
  dynamodb: { NewImage: newImage, ...(oldImage ? { OldImage: oldImage } : {}) },
});
const charger = (status: string) => ({ entityType: { S: 'Charger' }, status: { S: status } });

describe('matchesPattern', () => {
  const flipOffline: EventPattern = {
    dynamodb: {
      NewImage: { entityType: { S: ['Charger'] }, status: { S: ['offline'] } },
      OldImage: { status: { S: ['online'] } },
    },
  };

  it.each([
    ['online → offline', record(charger('offline'), charger('online')), true],
    ['offline → offline (no transition)', record(charger('offline'), charger('offline')), false],
    ['an INSERT has no old image', record(charger('offline')), false],
    [
      'another entity',
      record({ ...charger('offline'), entityType: { S: 'Session' } }, charger('online')),
      false,
    ],
  ])('fields are ANDed, nested by key: %s → %p', (_label, event, expected) => {
    expect(matchesPattern(flipOffline, event)).toBe(expected);
  });

  it('values of one field are ORed, and an array in the event matches on any element', () => {
    expect(matchesPattern({ kind: ['a', 'b'] }, { kind: 'b' })).toBe(true);
    expect(matchesPattern({ kind: ['a', 'b'] }, { kind: 'c' })).toBe(false);
    expect(matchesPattern({ tags: ['x'] }, { tags: ['w', 'x'] })).toBe(true);
  });

  it('booleans and numbers match by value; numeric ranges read DynamoDB’s string numbers', () => {
    expect(matchesPattern({ faulted: { BOOL: [true] } }, { faulted: { BOOL: true } })).toBe(true);
    expect(matchesPattern({ faulted: { BOOL: [true] } }, { faulted: { BOOL: false } })).toBe(false);
    expect(matchesPattern({ n: { N: [{ numeric: ['>', 5, '<=', 10] }] } }, { n: { N: '7' } })).toBe(true);
    expect(matchesPattern({ n: { N: [{ numeric: ['>', 5, '<=', 10] }] } }, { n: { N: '11' } })).toBe(false);
  });

  it('anything-but, prefix and exists; a missing field matches only exists: false', () => {
    expect(matchesPattern({ s: [{ 'anything-but': ['Accepted'] }] }, { s: 'Blocked' })).toBe(true);
    expect(matchesPattern({ s: [{ 'anything-but': ['Accepted'] }] }, { s: 'Accepted' })).toBe(false);
    expect(matchesPattern({ s: [{ 'anything-but': ['Accepted'] }] }, {})).toBe(false);
    expect(matchesPattern({ s: [{ prefix: 'CHARGER#' }] }, { s: 'CHARGER#1' })).toBe(true);
    expect(matchesPattern({ s: [{ exists: true }] }, { s: 1 })).toBe(true);
    expect(matchesPattern({ s: [{ exists: false }] }, {})).toBe(true);
    expect(matchesPattern({ s: [{ exists: false }] }, { s: 1 })).toBe(false);
  });

  it('a leaf under a missing object is absent, as AWS flattens events: only exists: false matches it', () => {
    // A DynamoDB attribute left out of an image: its type key (S, BOOL) is missing with it.
    const silentLeft = { NewImage: { streamSilent: { BOOL: [{ exists: false }] } } };
    expect(matchesPattern(silentLeft, { NewImage: { entityType: { S: 'UserSession' } } })).toBe(true);
    expect(matchesPattern(silentLeft, {})).toBe(true);
    expect(matchesPattern(silentLeft, { NewImage: { streamSilent: { BOOL: true } } })).toBe(false);
    expect(matchesPattern({ NewImage: { status: { S: ['online'] } } }, { NewImage: {} })).toBe(false);
    expect(matchesPattern({ NewImage: { status: { S: [{ exists: true }] } } }, {})).toBe(false);
  });
});

describe('matchesAnyPattern', () => {
  it('passes a record that matches one of several filters, and every record when there is none', () => {
    const filters: EventPattern[] = [{ kind: ['a'] }, { kind: ['b'] }];
    expect(matchesAnyPattern(filters, { kind: 'b' })).toBe(true);
    expect(matchesAnyPattern(filters, { kind: 'c' })).toBe(false);
    expect(matchesAnyPattern(undefined, { kind: 'c' })).toBe(true);
  });
});

describe('assertSupportedPattern', () => {
  it('refuses, by path, a rule the local cloud does not emulate instead of matching silently', () => {
    expect(() => assertSupportedPattern({ a: { b: [{ suffix: '.png' }] } })).toThrow(
      'filterPattern.a.b: the local cloud does not emulate the filter rule {"suffix":".png"}',
    );
    expect(() => assertSupportedPattern({ a: [{ 'anything-but': ['x'] }] })).not.toThrow();
  });
});
