import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, servicesRoot } from '../../src/config/paths.js';

/**
 * Imports an AWS SDK client that the services depend on, themselves or through the edge package, but
 * local-cloud does not (it only serves their APIs): the tests check the endpoints with the very clients the
 * services use.
 */
export async function importServiceDependency<Module>(name: string): Promise<Module> {
  const manifests = [
    ...readdirSync(servicesRoot).map((service) => join(servicesRoot, service, 'package.json')),
    join(repoRoot, 'packages/middleware/package.json'),
  ];
  for (const manifest of manifests) {
    let dependencies: Record<string, string> = {};
    try {
      dependencies =
        (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> })
          .dependencies ?? {};
    } catch {
      continue;
    }
    if (!dependencies[name]) continue;
    const resolved = createRequire(manifest).resolve(name);
    return (await import(pathToFileURL(resolved).href)) as Module;
  }
  throw new Error(`no service depends on ${name}`);
}
