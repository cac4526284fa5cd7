import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// The web app (TSX, DOM) is outside the root tsconfig: it is checked here, against the routes' own types and the
// contract it imports, so a change on the back end that breaks the console fails `npm test`.
describe('the web app', () => {
  it('typechecks (web/tsconfig.json)', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(
      process.execPath,
      [tsc, '-p', join(import.meta.dirname, '../../web/tsconfig.json'), '--noEmit'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});
