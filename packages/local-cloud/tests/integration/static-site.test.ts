import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalFunction, StaticSiteConfig } from '../../src/config/model.js';
import { type HttpApiServer, startHttpApi } from '../../src/http-api/http-api-server.js';
import { ensureStaticSiteBuilt, staticSiteIsStale } from '../../src/http-api/static-site.js';

// A service's web app on the local HTTP API (`custom.localCloud.staticSite`): what S3 + CloudFront serve on AWS.
let root: string;
let api: HttpApiServer;
let site: StaticSiteConfig;
let seenClaims: Record<string, unknown> | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'static-site-'));
  mkdirSync(join(root, 'web/src'), { recursive: true });
  writeFileSync(join(root, 'web/src/app.txt'), 'source');
  // The "build" copies a page and an asset into dist, like Vite's output.
  writeFileSync(
    join(root, 'web/build.mjs'),
    `import { mkdirSync, writeFileSync } from 'node:fs';
     mkdirSync('web/dist/assets', { recursive: true });
     writeFileSync('web/dist/index.html', '<!doctype html><title>console</title>');
     writeFileSync('web/dist/assets/app-1234.js', 'console.log(1)');`,
  );
  site = {
    service: 'console',
    path: '/ops/',
    dir: join(root, 'web/dist'),
    build: join(root, 'web/build.mjs'),
  };
  const fn = {
    id: 'console.getThing',
    httpRoutes: [{ method: 'GET', path: '/ops/api/thing', jwtAuthorizer: 'operatorJwt' }],
  } as unknown as LocalFunction;
  api = await startHttpApi({
    port: 0,
    functions: [fn],
    staticSites: [site],
    invoke: async (_id, event) => {
      seenClaims = (event as { requestContext: { authorizer: { jwt: { claims: Record<string, unknown> } } } })
        .requestContext.authorizer.jwt.claims;
      return { ok: true, result: { statusCode: 200, body: '{"thing":1}' } };
    },
    verifyToken: async () => ({ sub: 'olga', 'cognito:groups': ['admins', 'operators'] }),
  });
});

afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a static site on the local HTTP API', () => {
  it('builds when there is no build, then only when a source is newer', async () => {
    expect(staticSiteIsStale(site)).toBe(true);
    expect(await ensureStaticSiteBuilt(site)).toBe('built');
    expect(staticSiteIsStale(site)).toBe(false);
    expect(await ensureStaticSiteBuilt(site)).toBe('unchanged');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'web/src/app.txt'), later, later);
    expect(staticSiteIsStale(site)).toBe(true);
  });

  it('serves the page at its path (and redirects the bare path), assets as immutable', async () => {
    const page = await fetch(`${api.url}/ops/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>console</title>');
    const bare = await fetch(`${api.url}/ops`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/ops/');
    const asset = await fetch(`${api.url}/ops/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves routes to their functions and answers anything else under the path with the API’s 404', async () => {
    const routed = await fetch(`${api.url}/ops/api/thing`, { headers: { authorization: 'Bearer t' } });
    expect(await routed.json()).toEqual({ thing: 1 });
    // API Gateway passes an array claim on as one string.
    expect(seenClaims).toMatchObject({ sub: 'olga', 'cognito:groups': '[admins operators]' });
    for (const path of [
      '/ops/api/nothing',
      '/ops/nope.js',
      '/ops/..%2f..%2fetc%2fpasswd',
      '/ops/%2e%2e/build.mjs',
    ]) {
      const response = await fetch(`${api.url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });
});
