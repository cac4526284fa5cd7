import { describe, expect, it } from '@jest/globals';
import {
  BadInputError,
  ConflictError,
  errorClassOf,
  NotFoundError,
  SpoofError,
  TransientError,
} from '../../src/index.js';

describe('typed errors', () => {
  it('BadInputError carries the field and the reason', () => {
    const error = new BadInputError('energy.value', 'must be >= 0');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'BadInputError',
      errorClass: 'bad-input',
      field: 'energy.value',
      reason: 'must be >= 0',
      message: 'energy.value: must be >= 0',
    });
  });

  it('SpoofError is a BadInputError of class spoof that names both ids', () => {
    const error = new SpoofError('CP-1', 'CP-2');
    expect(error).toBeInstanceOf(BadInputError);
    expect(error).toMatchObject({ name: 'SpoofError', errorClass: 'spoof', field: 'clientId' });
    expect(error.reason).toBe('client "CP-2" published on the topic of charger "CP-1"');
  });

  it.each([
    ['BadInputError', new BadInputError('at', 'bad'), 'bad-input'],
    ['SpoofError', new SpoofError('CP-1', 'CP-2'), 'spoof'],
    ['TransientError', new TransientError('throttled'), 'transient'],
    ['NotFoundError', new NotFoundError('no session'), 'bug'],
    ['ConflictError', new ConflictError('not active'), 'bug'],
    ['a plain Error', new Error('boom'), 'bug'],
    ['a TypeError', new TypeError('x is undefined'), 'bug'],
    ['a thrown string', 'boom', 'bug'],
    ['undefined', undefined, 'bug'],
    ['a look-alike object', { errorClass: 'transient' }, 'bug'],
  ])('classifies %s as %s', (_name, error, errorClass) => {
    expect(errorClassOf(error)).toBe(errorClass);
  });

  it.each([
    [new TransientError('t'), 'TransientError'],
    [new NotFoundError('n'), 'NotFoundError'],
    [new ConflictError('c'), 'ConflictError'],
  ])('%s has the name %s (logs and mapping rely on it)', (error, name) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
  });
});
