import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { StaticSiteConfig } from '../config/model.js';

// A service's built web app, served by the local HTTP API under its path (S3 + CloudFront on AWS). The build is
// re-run at start-up when a source under the build script's folder is newer than the built index.html.

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

function newestSourceMs(dir: string, skip: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === skip || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path, skip) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when the site has no build yet, or a source changed since. */
export function staticSiteIsStale(site: StaticSiteConfig): boolean {
  const index = join(site.dir, 'index.html');
  if (!existsSync(index)) return true;
  if (!site.build) return false;
  return newestSourceMs(dirname(site.build), site.dir) > statSync(index).mtimeMs;
}

/** Runs the site's build script (Node, in its service folder) when stale; rejects with its output on failure. */
export async function ensureStaticSiteBuilt(site: StaticSiteConfig): Promise<'built' | 'unchanged'> {
  if (!site.build || !staticSiteIsStale(site)) return 'unchanged';
  const build = site.build;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [build], { cwd: dirname(dirname(build)), stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${site.service} web build failed (${code}):\n${output}`)),
    );
  });
  return 'built';
}

/**
 * Serves `pathname` from the site when it lies under the site's path: a file, or index.html for the path itself
 * (the app has no client-side routes, so anything else is a 404). False when the path is not the site's.
 */
export async function serveStaticSite(
  sites: StaticSiteConfig[],
  method: string,
  pathname: string,
  response: ServerResponse,
): Promise<boolean> {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const site = sites.find((candidate) => pathname.startsWith(candidate.path));
  if (!site) {
    const bare = sites.find((candidate) => pathname === candidate.path.slice(0, -1));
    if (!bare) return false;
    response.writeHead(301, { location: bare.path });
    response.end();
    return true;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(site.path.length));
  } catch {
    return false;
  }
  const file = normalize(join(site.dir, relative || 'index.html'));
  if (!file.startsWith(site.dir + sep)) return false;
  const target = existsSync(file) && statSync(file).isFile() ? file : undefined;
  if (!target) {
    if (existsSync(site.dir)) return false;
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`${site.service}: the web app is not built (its build failed at start-up: see the log)`);
    return true;
  }
  const body = await readFile(target);
  const hashed = target.includes(`${sep}assets${sep}`);
  response.writeHead(200, {
    'content-type': contentTypes[extname(target)] ?? 'application/octet-stream',
    'content-length': body.length,
    // Vite's hashed assets never change; the page itself is always revalidated.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(extname(target) === '.html'
      ? {
          'content-security-policy':
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        }
      : {}),
  });
  response.end(method === 'HEAD' ? undefined : body);
  return true;
}
