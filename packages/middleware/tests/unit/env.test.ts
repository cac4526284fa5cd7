import { describe, expect, it } from '@jest/globals';
import { integerEnv, optionalEnv, requiredEnv } from '../../src/env.js';

describe('the environment parser', () => {
  it('requiredEnv names a missing or empty variable', () => {
    expect(requiredEnv('TABLE_NAME', { TABLE_NAME: 't' })).toBe('t');
    expect(() => requiredEnv('TABLE_NAME', {})).toThrow('TABLE_NAME is not set');
    expect(() => requiredEnv('TABLE_NAME', { TABLE_NAME: '' })).toThrow('TABLE_NAME is not set');
  });

  it('optionalEnv is undefined when unset or empty', () => {
    expect(optionalEnv('QUEUE_URL', {})).toBeUndefined();
    expect(optionalEnv('QUEUE_URL', { QUEUE_URL: '' })).toBeUndefined();
    expect(optionalEnv('QUEUE_URL', { QUEUE_URL: 'q' })).toBe('q');
  });

  it('integerEnv takes whole numbers from min, its fallback when unset, and refuses the rest by name', () => {
    expect(integerEnv('N', {}, { N: '0' })).toBe(0);
    expect(integerEnv('N', { fallback: 30 }, {})).toBe(30);
    expect(integerEnv('N', { fallback: 30 }, { N: '' })).toBe(30);
    expect(() => integerEnv('N', {}, {})).toThrow('N is not set');
    expect(() => integerEnv('N', { min: 1 }, { N: '0' })).toThrow('N must be an integer >= 1, got "0"');
    expect(() => integerEnv('N', {}, { N: '1.5' })).toThrow('N must be an integer');
    expect(() => integerEnv('N', {}, { N: 'ten' })).toThrow('N must be an integer');
  });
});
