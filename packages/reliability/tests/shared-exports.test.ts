import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../src/templates.js';

// A shared package holds only what is really shared: an export that exactly one service uses (and no tool,
// no other package) belongs in that service. The few deliberate exceptions, each with its reason:
const deliberatelyShared: Record<string, string> = {
  DEFAULT_LIVENESS_GRACE_S:
    'the default of the shared liveness window (livenessWindowMs), so it is written once',
  DueItemKey: 'what the shared deadline-index query returns to whichever service sweeps its kind',
  conditionFailedItem:
    "the transaction helper's decoder of a failed write's old item, for the single writes that need ReturnValues (heartbeat) and so cannot go through transact",
};
// Shared by definition, whichever service reads a name in code today: the contract (chargers, simulator, docs
// and services read it), the table's entities (each item written once, the types derived from it) and its key
// schema (key templates, shards and indexes are one design).
const definitionFiles = /^packages\/(domain\/src\/(contract\/|entities\.ts)|dynamo\/src\/keys\.ts)/;

const sharedPackages = ['packages/domain', 'packages/dynamo', 'packages/middleware'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** The names a package's barrel exports (`export * from './x.js'`, followed, plus its own declarations). */
function exportedNames(barrel: string, seen = new Set<string>()): Map<string, string> {
  const names = new Map<string, string>();
  if (seen.has(barrel)) return names;
  seen.add(barrel);
  const text = readFileSync(barrel, 'utf8');
  for (const match of text.matchAll(/export \* from '(\.[^']+)\.js'/g))
    for (const [name, file] of exportedNames(join(dirname(barrel), `${match[1]}.ts`), seen))
      names.set(name, file);
  for (const match of text.matchAll(
    /^export (?:async )?(?:function|const|class|interface|type|enum) (\w+)/gm,
  ))
    names.set(match[1] as string, barrel);
  return names;
}

/** Who uses a file: `services/<name>` for a service (its tests included), else the package or tool folder. */
function ownerOf(file: string): string {
  const [group, name] = relative(repoRoot, file).split('/');
  return group === 'bench' ? 'bench' : `${group}/${name}`;
}

const everyFile = ['packages', 'services', 'bench'].flatMap((group) => sourceFiles(join(repoRoot, group)));
const texts = new Map(everyFile.map((file) => [file, readFileSync(file, 'utf8')]));

describe('shared packages export only what is shared', () => {
  for (const pkg of sharedPackages) {
    it(`${pkg}: no export is used by exactly one service and nothing else`, () => {
      const ownedByOne: string[] = [];
      for (const [name, definedIn] of exportedNames(join(repoRoot, pkg, 'src/index.ts'))) {
        if (deliberatelyShared[name] || definitionFiles.test(relative(repoRoot, definedIn))) continue;
        const pattern = new RegExp(`\\b${name}\\b`);
        const owners = new Set(
          [...texts]
            .filter(([file, text]) => file !== definedIn && pattern.test(text))
            .map(([file]) => (file.startsWith(join(repoRoot, pkg)) ? pkg : ownerOf(file))),
        );
        const [only] = owners;
        if (owners.size === 1 && only?.startsWith('services/')) ownedByOne.push(`${name} (only ${only})`);
      }
      expect(ownedByOne).toEqual([]);
    });
  }
});
