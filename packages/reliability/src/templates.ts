import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const servicesDir = join(repoRoot, 'services');

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface PackagedService {
  service: string;
  dir: string;
  resources: Record<string, CfnResource>;
}

/** Every service folder with a serverless.yml. */
export function serviceNames(): string[] {
  return readdirSync(servicesDir)
    .filter((name) => existsSync(join(servicesDir, name, 'serverless.yml')))
    .sort();
}

function templatePath(service: string): string {
  return join(servicesDir, service, '.serverless', 'cloudformation-template-update-stack.json');
}

// A template older than the config it came from would test yesterday's policies.
function isStale(service: string): boolean {
  const template = templatePath(service);
  if (!existsSync(template)) return true;
  const builtAt = statSync(template).mtimeMs;
  const sources = [join(servicesDir, service, 'serverless.yml'), join(repoRoot, 'serverless.common.yml')];
  return sources.some((source) => statSync(source).mtimeMs > builtAt);
}

/** Packages (offline, in parallel) every service whose template is missing or stale, then reads them all. */
export async function loadPackagedTemplates(services = serviceNames()): Promise<PackagedService[]> {
  const stale = services.filter(isStale);
  await Promise.all(
    stale.map((service) =>
      run('pnpm', ['exec', 'serverless', 'package', '--stage', 'local'], {
        cwd: join(servicesDir, service),
        maxBuffer: 16 * 1024 * 1024,
      }),
    ),
  );
  return services.map((service) => {
    const template = JSON.parse(readFileSync(templatePath(service), 'utf8')) as {
      Resources: Record<string, CfnResource>;
    };
    return { service, dir: join(servicesDir, service), resources: template.Resources };
  });
}
