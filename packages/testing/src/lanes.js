// Which jest suites run alone (scripts/test.mjs). Plain JS: the runner is a Node script outside any transform.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** A suite runs alone when it is end-to-end, a reliability suite, or says `@lane isolated` in its first lines. */
export function isIsolated(root, file) {
  const path = relative(root, file).split('\\').join('/');
  if (/(^|\/)tests\/e2e\//.test(path) || path.startsWith('packages/reliability/tests/')) return true;
  return /^\s*(\/\/|\*|\/\*\*?)\s*@lane isolated\b/m.test(readFileSync(file, 'utf8').slice(0, 2_000));
}
