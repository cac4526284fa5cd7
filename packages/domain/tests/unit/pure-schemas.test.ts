import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// Every module-level zod schema is declared `/* @__PURE__ */ pure(() => ...)` (packages/domain/src/pure.ts), so
// a function's bundle builds only the schemas it uses: a schema declared plainly keeps its module's schemas,
// and the schemas they name, in every bundle that imports anything from it.

const root = join(import.meta.dirname, '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

const sourceDirs = ['packages', 'services'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name, 'src'))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);

/** Top-level `const` declarations (column 0) with their whole initializer, up to the next top-level line. */
function topLevelConsts(text: string): { name: string; initializer: string }[] {
  const lines = text.split('\n');
  const found: { name: string; initializer: string }[] = [];
  lines.forEach((line, index) => {
    const match = /^(?:export )?const (\w+)(?:: [^=]+)? = ?(.*)$/.exec(line);
    if (!match) return;
    const rest = [match[2] ?? ''];
    for (let next = index + 1; next < lines.length && /^(\s|\)|\]|\}|$)/.test(lines[next] ?? ''); next++) {
      if (/^[)\]}]/.test(lines[next] ?? '')) {
        rest.push(lines[next] ?? '');
        break;
      }
      rest.push(lines[next] ?? '');
    }
    found.push({ name: match[1] ?? '', initializer: rest.join('\n') });
  });
  return found;
}

/** Whether an initializer builds zod values at import without the pure declaration. */
function buildsSchemaPlainly(initializer: string): boolean {
  if (/^\/\* @__PURE__ \*\/ pure\(\s*\(\) =>/.test(initializer)) return false;
  // A function (`(x) => z.string()...`) builds nothing at import.
  if (/^(async )?(\([^)]*\)|\w+)(: [^=]+)? =>/.test(initializer)) return false;
  // A zod call (`z.object(`, `z\n  .string()`), not a type (`satisfies z.ZodMiniType`).
  return /\bz\s*\.\s*[a-z]\w*\s*\(|\bz$|\bpure\(/m.test(initializer);
}

describe('module-level schemas', () => {
  const files = sourceDirs.flatMap(sources);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('are all declared pure', () => {
    const plain = files.flatMap((file) =>
      topLevelConsts(readFileSync(file, 'utf8'))
        .filter(({ initializer }) => buildsSchemaPlainly(initializer))
        .map(({ name }) => `${relative(root, file)}: ${name}`),
    );
    expect(plain).toEqual([]);
  });

  it('the check tells a plain declaration from a pure one', () => {
    expect(buildsSchemaPlainly('z.object({ a: z.string() });')).toBe(true);
    expect(buildsSchemaPlainly('z\n  .string()')).toBe(true);
    expect(buildsSchemaPlainly('{ topic: z.optional(z.string()) };')).toBe(true);
    expect(buildsSchemaPlainly('pure(() => z.string());')).toBe(true);
    expect(buildsSchemaPlainly('/* @__PURE__ */ pure(() => z.string());')).toBe(false);
    expect(buildsSchemaPlainly('(maxLength: number) => z.string();')).toBe(false);
    expect(buildsSchemaPlainly("['online', 'offline'] as const;")).toBe(false);
    expect(buildsSchemaPlainly('{ a: aSchema } as const satisfies Record<string, z.ZodMiniType>;')).toBe(
      false,
    );
  });
});
