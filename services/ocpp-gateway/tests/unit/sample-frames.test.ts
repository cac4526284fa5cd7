import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { dispositionOf } from '../../src/ocpp/actions.js';
import { ocpp16StrictValidator } from '../../src/ocpp/strict-validator.js';

// The sample frames in events/ are CALLs as OCPP-J 1.6 writes them; each handled one passes the 1.6 schemas.
const dir = join(import.meta.dirname, '../../events');
const frames = readdirSync(dir).map((file) => ({
  file,
  frame: JSON.parse(readFileSync(join(dir, file), 'utf8')) as [number, string, string, unknown],
}));

describe('sample frames', () => {
  it.each(frames)('$file is a CALL the gateway handles or answers as the spec says', ({ frame }) => {
    const [type, uniqueId, action, payload] = frame;
    expect(type).toBe(2);
    expect(typeof uniqueId).toBe('string');
    if (dispositionOf(action) === 'handled') {
      expect(ocpp16StrictValidator().validate(`urn:${action}.req`, payload)).toBe(true);
    } else {
      expect(() => ocpp16StrictValidator().validate(`urn:${action}.req`, payload)).toThrow(
        /not an OCPP 1.6 action/,
      );
    }
  });
});
